# What the benchmark scripts share (sourced): a Release build of the named targets in
# build-bench ($bin), processes stopped at exit (add their pids to `pids`), and the helpers
# that read figures.
#   bench_build TARGET...
bench_build() {
  bash "$root/scripts/install-deps.sh"
  cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DLOA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build-bench" -j"$(nproc)" --target "$@" >/dev/null
  bin=$root/build-bench
}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
# The median of the numbers on stdin, one a line ("-" for none).
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# User + system CPU ticks of a process so far (CLK_TCK a second: $tck).
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
now_ms() { date +%s%3N; }
