// g++'s -fsanitize-coverage=trace-cmp also reports comparisons of floating-point values,
// which libFuzzer does not take: these hooks let the targets link and ignore them.
extern "C" {
void __sanitizer_cov_trace_cmpf(float, float) {}
void __sanitizer_cov_trace_cmpd(double, double) {}
}
