// g++'s -fsanitize-coverage=trace-cmp also reports comparisons of floating-point values,
// which neither libFuzzer nor the ASan runtime takes: these hooks let every program of a
// LOA_FUZZ build link, and ignore them. Weak, since each program gets its own copy.
extern "C" {
__attribute__((weak)) void __sanitizer_cov_trace_cmpf(float, float) {}
__attribute__((weak)) void __sanitizer_cov_trace_cmpd(double, double) {}
}
