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

# A Redis of its own in DIR (DIR/redis.sock; AOF everysec, listpacks as the README advises):
# its pid in $redis once the socket is there.
start_redis() {
  redis-server --port 0 --unixsocket "$1/redis.sock" --dir "$1" --appendonly yes --appendfsync everysec \
    --hash-max-listpack-value 128 --save "" --logfile "$1/redis.log" --daemonize no &
  redis=$!
  pids+=("$redis")
  for _ in $(seq 50); do [ -S "$1/redis.sock" ] && break; sleep 0.1; done
}
# loa-fake-provider on a port the kernel picks, with ARGS, its output in DIR/fake.out: its
# pid in $fake and its port in $fport once it listens.   start_fake DIR ARGS...
start_fake() {
  local dir=$1
  shift
  "$bin/tools/loa-fake-provider" --listen 127.0.0.1:0 "$@" >"$dir/fake.out" 2>"$dir/fake.err" &
  fake=$!
  pids+=("$fake")
  for _ in $(seq 50); do grep -q "listening on" "$dir/fake.out" 2>/dev/null && break; sleep 0.1; done
  fport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/fake.out")
}
