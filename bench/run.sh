#!/usr/bin/env bash
# Loa's benchmark, side by side with Kannel in the same run (../shared/bench/kannel).
# Prints figures; bench/README.md says how to read them. Everything runs on 127.0.0.1,
# every load is bounded in count and time, and every process started here is stopped.
#
#   bash bench/run.sh                     # Kannel anchor + Loa, 3 runs each (~10 min)
#   KANNEL=0 bash bench/run.sh            # Loa only
#   RUNS=1 N=20000 bash bench/run.sh      # quick
#
# Knobs: N (recipients, default 100000), RUNS (default 3), KANNEL (1/0), RATE_N (messages
# for the rate-adherence run, default 2000), APPENDFSYNC (Redis AOF policy, default everysec).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LOA_SHARED:-$root/../shared}
N=${N:-100000}
RUNS=${RUNS:-3}
KANNEL=${KANNEL:-1}
RATE_N=${RATE_N:-2000}
APPENDFSYNC=${APPENDFSYNC:-everysec}
W=/tmp/loa-bench
PROVIDER_PORT=18080   # the Kannel anchor's nginx provider, same config, same port

bash "$root/scripts/install-deps.sh"
missing=()
for p in nginx kannel wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DLOA_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j"$(nproc)" >/dev/null
bin=$root/build-bench

rm -rf "$W" && mkdir -p "$W/state/wards" "$W/nginx"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -f /tmp/kannel-anchor/nginx/nginx.pid ] && kill -TERM "$(cat /tmp/kannel-anchor/nginx/nginx.pid)" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)

# ---------------------------------------------------------------- Kannel, same run
if [ "$KANNEL" = 1 ]; then
  echo "== Kannel anchor (../shared/bench/kannel/run.sh, N=$N, $RUNS runs)"
  PHASES=kannel MPS_LIST=10 NS="$N" REPEAT="$RUNS" bash "$shared/bench/kannel/run.sh" >"$W/kannel.out" 2>"$W/kannel.err" || true
  cat /tmp/kannel-anchor/summary.txt 2>/dev/null | tee "$W/kannel-summary.txt" || tail -20 "$W/kannel.err"
fi

# ---------------------------------------------------------------- the provider
# nginx with the anchor's config (it writes under /tmp/kannel-anchor), logging one $msec line per request.
mkdir -p /tmp/kannel-anchor/nginx
nginx -p /tmp/kannel-anchor/nginx/ -e /tmp/kannel-anchor/nginx/error.log -c "$shared/bench/kannel/nginx.conf"
sleep 0.5
nginx_log=/tmp/kannel-anchor/provider-access.log

# ---------------------------------------------------------------- Redis and Loa
python3 "$root/bench/gen_ward.py" "$W/state/wards/bench.csv" "$N" --clean
mkdir -p "$W/state/templates"
cp "$root/templates/treo-co.yaml" "$W/state/templates/"
redis-server --port 0 --unixsocket "$W/redis.sock" --dir "$W" --appendonly yes --appendfsync "$APPENDFSYNC" \
  --hash-max-listpack-value 1024 --save "" --logfile "$W/redis.log" --daemonize no &
redis_pid=$!
pids+=("$redis_pid")
sleep 0.5
cat >"$W/state/loa.yaml" <<YAML
redis: { url: "unix://$W/redis.sock", prefix: bench }
state_dir: $W/state
templates_dir: templates
wards_dir: wards
wards: { bench: "Phường 6" }
webhook: { listen: "127.0.0.1:0" }
providers:
  - name: nginx
    type: http
    url: http://127.0.0.1:$PROVIDER_PORT/send
    fields: { to: "{{to}}", text: "{{text}}", ref: "{{ref}}" }
    message_id: id
    max_in_flight: 128
    timeout_ms: 10000
YAML
loa() { "$bin/cli/loa" --config "$W/state/loa.yaml" "$@"; }

echo
echo "== Loa end to end: loa send -> Redis -> loa-gatewayd -> nginx, N=$N, $RUNS runs (AOF $APPENDFSYNC)"
printf '%-4s %10s %12s %14s %14s %12s\n' run "msg/s" "send s" "µs CPU/msg" "+redis µs" "peak RSS MiB"
rates=(); cpus=(); cpus_r=(); rsss=(); sends=()
for run in $(seq "$RUNS"); do
  redis-cli -s "$W/redis.sock" FLUSHALL >/dev/null
  : >"$nginx_log"
  "$bin/daemon/loa-gatewayd" --config "$W/state/loa.yaml" --log-level warn 2>"$W/gatewayd-$run.log" &
  gw=$!
  pids+=("$gw")
  for _ in $(seq 100); do grep -q "listening" "$W/gatewayd-$run.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  c0=$(cpu_ticks "$gw"); r0=$(cpu_ticks "$redis_pid")
  t0=$(date +%s.%N)
  loa send --template treo-co --ward bench --var "dip_le=Quốc khánh" --var tu_ngay=1/9 --var den_ngay=3/9 >"$W/send-$run.out"
  t_sent=$(date +%s.%N)
  deadline=$(( $(date +%s) + 300 ))
  while [ "$(wc -l <"$nginx_log")" -lt "$N" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  got=$(wc -l <"$nginx_log")
  t_end=$(tail -n 1 "$nginx_log")
  c1=$(cpu_ticks "$gw"); r1=$(cpu_ticks "$redis_pid"); hwm=$(hwm_kb "$gw")
  kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
  if [ "$got" -lt "$N" ]; then echo "run $run: only $got of $N arrived within 300 s"; continue; fi
  rate=$(awk -v n="$N" -v a="$t0" -v b="$t_end" 'BEGIN {printf "%.0f", n/(b-a)}')
  cpu=$(awk -v c="$((c1 - c0))" -v t="$tck" -v n="$N" 'BEGIN {printf "%.1f", c/t/n*1e6}')
  cpur=$(awk -v c="$((c1 - c0 + r1 - r0))" -v t="$tck" -v n="$N" 'BEGIN {printf "%.1f", c/t/n*1e6}')
  send_s=$(awk -v a="$t0" -v b="$t_sent" 'BEGIN {printf "%.2f", b-a}')
  printf '%-4s %10s %12s %14s %14s %12.1f\n' "$run" "$rate" "$send_s" "$cpu" "$cpur" "$(awk -v k="$hwm" 'BEGIN {print k/1024}')"
  rates+=("$rate"); cpus+=("$cpu"); cpus_r+=("$cpur"); rsss+=("$hwm"); sends+=("$send_s")
done
if [ ${#rates[@]} -gt 0 ]; then
  echo "median: $(printf '%s\n' "${rates[@]}" | median) msg/s end to end, $(printf '%s\n' "${cpus[@]}" | median) µs daemon CPU/msg" \
    "($(printf '%s\n' "${cpus[@]}" | median | awk '{printf "%.2f", $1/100}') CPU s per 10,000), $(printf '%s\n' "${cpus_r[@]}" | median) µs with Redis," \
    "peak RSS $(printf '%s\n' "${rsss[@]}" | median | awk '{printf "%.1f", $1/1024}') MiB; loa send (validation + enqueue) $(printf '%s\n' "${sends[@]}" | median) s"
fi

# ---------------------------------------------------------------- rate adherence
echo
echo "== Rate adherence: rate_per_second 200, provider latency 100 ms, $RATE_N messages"
"$bin/tools/loa-fake-provider" --listen 127.0.0.1:0 --latency-ms 100 --log "$W/fake.log" >"$W/fake.out" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$W/fake.out" 2>/dev/null && break; sleep 0.1; done
fake_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$W/fake.out")
python3 "$root/bench/gen_ward.py" "$W/state/wards/rate.csv" "$RATE_N" --clean --seed 7
sed -e "s|url: http://127.0.0.1:$PROVIDER_PORT/send|url: http://127.0.0.1:$fake_port/send\n    rate_per_second: 200\n    burst: 5|" \
    -e 's|wards: { bench: "Phường 6" }|wards: { rate: "Phường 7" }|' "$W/state/loa.yaml" >"$W/state/rate.yaml"
redis-cli -s "$W/redis.sock" FLUSHALL >/dev/null
"$bin/daemon/loa-gatewayd" --config "$W/state/rate.yaml" --log-level warn 2>"$W/gatewayd-rate.log" &
gw=$!
pids+=("$gw")
sleep 1
"$bin/cli/loa" --config "$W/state/rate.yaml" send --template treo-co --ward rate --var "dip_le=x" --var tu_ngay=1 --var den_ngay=2 >/dev/null
deadline=$(( $(date +%s) + 120 ))
while [ "$(wc -l <"$W/fake.log")" -lt "$RATE_N" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
python3 - "$W/fake.log" <<'PY'
import json, sys
at = sorted(json.loads(l)["at"] for l in open(sys.argv[1]) if l.strip())
span = (at[-1] - at[0]) / 1000
busiest, j = 0, 0
for i in range(len(at)):
    while at[i] - at[j] >= 1000: j += 1
    busiest = max(busiest, i - j + 1)
print(f"{len(at)} messages in {span:.2f} s: achieved {(len(at) - 1) / span:.1f}/s (limit 200, burst 5: at most 204 in any 1-s window by the limiter); busiest 1-s window at the provider {busiest}")
PY
