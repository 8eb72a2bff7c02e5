#!/usr/bin/env bash
# Loa's benchmark, side by side with Kannel in the same run (../shared/bench/kannel).
# Prints figures; bench/README.md says how to read them. Everything runs on 127.0.0.1,
# every load is bounded in count and time, and every process started here is stopped.
# Kannel and Loa take turns (Kannel, Loa, Kannel, Loa, ...), so a slow or fast spell of
# this shared machine falls on both alike, and each round gives a ratio.
#
#   bash bench/run.sh                     # Kannel anchor + Loa, 3 rounds (~6 min)
#   KANNEL=0 bash bench/run.sh            # Loa only
#   RUNS=1 N=20000 bash bench/run.sh      # quick
#
# Knobs: N (recipients, default 100000), RUNS (default 3), KANNEL (1/0), RATE_N (messages
# for the rate-adherence run, default 2000), APPENDFSYNC (Redis AOF policy, default everysec),
# TLS=1 (the provider, nginx, speaks HTTPS with a throwaway certificate for localhost, to
# Kannel and to Loa alike; Loa trusts it through the provider's ca_file), TLS_SESSION_CACHE=1
# (Loa's rounds only: nginx keeps a session cache, as the anchor's config does not, so that
# the resumed handshakes show; Kannel's rounds run the anchor's config as it is).
#
# Per Loa round it also prints the connections nginx took and, over TLS, how many of their
# handshakes resumed a session (nginx's $connection_requests and $ssl_session_reused), and
# the failed attempts in the gateway's log (timeouts, refused connections).
# SYSCALLS=1: the daemon's (and Redis's) system calls, context switches and page faults a message in
# each Loa round, by kind (`perf stat` on its tracepoints; on stderr). PERF_DIR=DIR: each
# Loa round's daemon and Redis profiled (`perf record`: DIR/<round>-gateway.data,
# -redis.data; PERF_CALLGRAPH=dwarf,16384 for the daemon's call graph, which a Release build
# without frame pointers does not give with the default `fp`). REDIS_STATS=1: Redis's time a
# message by command (INFO commandstats; a script's inner commands are counted both on their
# own and inside its evalsha). For A/B runs: LOA_BIN=DIR runs another build's binaries
# (DIR/daemon/loa-gatewayd, DIR/cli/loa), GW_ENV="VAR=value ..." sets the daemon's
# environment, MAX_IN_FLIGHT the provider's max_in_flight (default 256).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LOA_SHARED:-$root/../shared}
N=${N:-100000}
RUNS=${RUNS:-3}
KANNEL=${KANNEL:-1}
RATE_N=${RATE_N:-2000}
APPENDFSYNC=${APPENDFSYNC:-everysec}
TLS=${TLS:-0}
TLS_SESSION_CACHE=${TLS_SESSION_CACHE:-0}
W=/tmp/loa-bench
PROVIDER_PORT=18080   # the Kannel anchor's nginx provider, same config, same port

bash "$root/scripts/install-deps.sh"
missing=()
for p in nginx kannel wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DLOA_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j"$(nproc)" >/dev/null
bin=${LOA_BIN:-$root/build-bench}

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

# ---------------------------------------------------------------- Kannel, one round
# One Kannel trial per mode (per request, bulk) against the anchor's own nginx on the
# provider port; prints "<per-request msg/s> <bulk msg/s> <per-request CPU µs/msg> <bulk µs/msg>
# <nginx µs/msg per request>".
kannel_round() {
  TLS=$TLS PHASES=kannel MPS_LIST=10 NS="$N" REPEAT=1 bash "$shared/bench/kannel/run.sh" >"$W/kannel-$1.out" 2>"$W/kannel-$1.err" || true
  cp /tmp/kannel-anchor/results.txt "$W/kannel-results-$1.txt" 2>/dev/null || true
  awk '/^kannel mode=/ {for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
                        r[v["mode"]] = v["rate"]; u[v["mode"]] = v["kannel_us_per_msg"]
                        if (v["n"] > 0) x[v["mode"]] = v["nginx_cpu_s"] / v["n"] * 1e6}
       END {printf "%s %s %s %s %.1f\n", r["req"] ? r["req"] : 0, r["bulk"] ? r["bulk"] : 0, u["req"] ? u["req"] : 0, u["bulk"] ? u["bulk"] : 0, x["req"]}' \
    "$W/kannel-results-$1.txt" 2>/dev/null || echo "0 0 0 0 0"
}

# ---------------------------------------------------------------- the provider
# nginx with the anchor's config (it writes under /tmp/kannel-anchor), logging one $msec
# line per request; stopped before each Kannel round, which starts its own.
# Loa's rounds use a copy that also logs, per request, whether it opened its connection
# ($connection_requests 1) and whether that connection's TLS handshake resumed a session.
nginx_log=/tmp/kannel-anchor/provider-access.log
sed "s|log_format stamp '\$msec';|log_format stamp '\$msec \$connection_requests \$ssl_session_reused';|" \
  "$shared/bench/kannel/nginx.conf" >"$W/nginx.conf"
grep -q 'connection_requests' "$W/nginx.conf" || { echo "bench: the anchor's nginx.conf changed its log_format" >&2; exit 1; }
purl="http://127.0.0.1:$PROVIDER_PORT/send"
ca_line=""
if [ "$TLS" = 1 ]; then
  mkdir -p "$W/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" >/dev/null 2>&1
  sed -i "s#listen 127.0.0.1:$PROVIDER_PORT backlog=4096;#listen 127.0.0.1:$PROVIDER_PORT ssl backlog=4096; ssl_certificate $W/tls/cert.pem; ssl_certificate_key $W/tls/key.pem;#" "$W/nginx.conf"
  grep -q "ssl_certificate " "$W/nginx.conf" || { echo "bench: the anchor's nginx.conf changed its listen line" >&2; exit 1; }
  if [ "$TLS_SESSION_CACHE" = 1 ]; then
    sed -i "s#ssl_certificate_key $W/tls/key.pem;#ssl_certificate_key $W/tls/key.pem; ssl_session_cache shared:LOA:10m;#" "$W/nginx.conf"
  fi
  purl="https://localhost:$PROVIDER_PORT/send"
  ca_line="    ca_file: $W/tls/cert.pem"
fi
start_nginx() {
  mkdir -p /tmp/kannel-anchor/nginx
  nginx -p /tmp/kannel-anchor/nginx/ -e /tmp/kannel-anchor/nginx/error.log -c "$W/nginx.conf"
  sleep 0.5
}
# CPU ticks of nginx's workers so far.
nginx_ticks() {
  local t=0 w
  for w in $(pgrep -P "$(cat /tmp/kannel-anchor/nginx/nginx.pid)"); do t=$((t + $(cpu_ticks "$w"))); done
  echo "$t"
}
stop_nginx() {
  [ -f /tmp/kannel-anchor/nginx/nginx.pid ] && kill -TERM "$(cat /tmp/kannel-anchor/nginx/nginx.pid)" 2>/dev/null || true
  for _ in $(seq 50); do [ -f /tmp/kannel-anchor/nginx/nginx.pid ] || break; sleep 0.1; done
}

# ---------------------------------------------------------------- Redis and Loa
python3 "$root/bench/gen_ward.py" "$W/state/wards/bench.csv" "$N" --clean
mkdir -p "$W/state/templates"
cp "$root/templates/treo-co.yaml" "$W/state/templates/"
redis-server --port 0 --unixsocket "$W/redis.sock" --dir "$W" --appendonly yes --appendfsync "$APPENDFSYNC" \
  --hash-max-listpack-value 128 --save "" --logfile "$W/redis.log" --daemonize no &
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
    url: $purl
    fields: { to: "{{to}}", text: "{{text}}", ref: "{{ref}}" }
    message_id: id
    dlr_token: bench
    max_in_flight: ${MAX_IN_FLIGHT:-256}
    timeout_ms: 10000
$ca_line
YAML
loa() { "$bin/cli/loa" --config "$W/state/loa.yaml" "$@"; }

# One Loa run on a fresh daemon and an empty Redis; prints "<msg/s> <send s> <µs CPU/msg>
# <+redis µs> <peak RSS kB> <connections> <resumed> <failed attempts> <nginx µs/msg>" or
# nothing when not all messages arrived in time.
loa_round() {
  local run=$1 gw c0 r0 x0 c1 r1 x1 t0 t_sent t_end got hwm deadline
  redis-cli -s "$W/redis.sock" FLUSHALL >/dev/null
  : >"$nginx_log"
  env ${GW_ENV:-} "$bin/daemon/loa-gatewayd" --config "$W/state/loa.yaml" --log-level warn 2>"$W/gatewayd-$run.log" &
  gw=$!
  pids+=("$gw")
  for _ in $(seq 100); do grep -q "listening" "$W/gatewayd-$run.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  local stat="" rstat=""
  if [ "${SYSCALLS:-0}" = 1 ]; then
    perf stat -x, -o "$W/syscalls-$run.csv" -p "$gw" -e context-switches,page-faults,raw_syscalls:sys_enter$(printf ',syscalls:sys_enter_%s' \
      read write recvfrom sendto epoll_wait epoll_ctl futex poll connect mmap munmap madvise brk) >/dev/null 2>&1 &
    stat=$!
    perf stat -x, -o "$W/syscalls-redis-$run.csv" -p "$redis_pid" -e context-switches,page-faults,raw_syscalls:sys_enter$(printf ',syscalls:sys_enter_%s' \
      read write epoll_wait mmap munmap madvise brk) >/dev/null 2>&1 &
    rstat=$!
  fi
  local perfs=()
  if [ -n "${PERF_DIR:-}" ]; then
    mkdir -p "$PERF_DIR"
    perf record -q -F 999 --call-graph "${PERF_CALLGRAPH:-fp}" -o "$PERF_DIR/$run-gateway.data" -p "$gw" >/dev/null 2>&1 &
    perfs+=($!)
    perf record -q -F 999 -g -o "$PERF_DIR/$run-redis.data" -p "$redis_pid" >/dev/null 2>&1 &
    perfs+=($!)
  fi
  [ "${REDIS_STATS:-0}" = 1 ] && redis-cli -s "$W/redis.sock" CONFIG RESETSTAT >/dev/null
  c0=$(cpu_ticks "$gw"); r0=$(cpu_ticks "$redis_pid"); x0=$(nginx_ticks)
  t0=$(date +%s.%N)
  loa send --template treo-co --ward bench --var "dip_le=Quốc khánh" --var tu_ngay=1/9 --var den_ngay=3/9 >"$W/send-$run.out"
  t_sent=$(date +%s.%N)
  deadline=$(( $(date +%s) + 300 ))
  while [ "$(wc -l <"$nginx_log")" -lt "$N" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  got=$(wc -l <"$nginx_log")
  t_end=$(tail -n 1 "$nginx_log" | cut -d' ' -f1)
  c1=$(cpu_ticks "$gw"); r1=$(cpu_ticks "$redis_pid"); x1=$(nginx_ticks); hwm=$(hwm_kb "$gw")
  if [ "${REDIS_STATS:-0}" = 1 ]; then
    redis-cli -s "$W/redis.sock" INFO commandstats | tr -d '\r' | awk -F'[:=,]' -v n="$N" -v run="$run" \
      '/^cmdstat_/ && $5 / n >= 0.05 {printf "run %s redis %s: %.2f calls a message, %.1f µs a call, %.2f µs a message\n", run, substr($1, 9), $3 / n, $7, $5 / n}' >&2
  fi
  local p
  for p in "${perfs[@]}"; do kill -INT "$p"; wait "$p" 2>/dev/null || true; done
  if [ -n "$stat" ]; then
    kill -INT "$stat" "$rstat"; wait "$stat" "$rstat" 2>/dev/null || true
    local who label
    for who in "" redis-; do
      label=""; [ -n "$who" ] && label="Redis: "
      awk -F, -v n="$N" -v run="$run" -v who="$label" '$1 ~ /^[0-9]+$/ {e = $3; sub(/^(raw_)?syscalls:sys_enter_?/, "", e); if (e == "") e = "all"; \
        out = out sprintf(" %s %.2f", e, $1 / n)} END {print "run " run " " who "system calls a message:" out}' "$W/syscalls-$who$run.csv" >&2
    done
  fi
  kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
  if [ "$got" -lt "$N" ]; then echo "run $run: only $got of $N arrived within 300 s" >&2; return; fi
  local conns failed
  conns=$(awk '$2 == 1 {c++; if ($3 == "r") r++} END {print c + 0, r + 0}' "$nginx_log")
  failed=$(grep -c "attempt [0-9]*:" "$W/gatewayd-$run.log" || true)
  awk -v n="$N" -v a="$t0" -v s="$t_sent" -v b="$t_end" -v c="$((c1 - c0))" -v cr="$((c1 - c0 + r1 - r0))" -v t="$tck" -v k="$hwm" \
    -v conns="$conns" -v f="$failed" -v x="$((x1 - x0))" \
    'BEGIN {printf "%.0f %.2f %.1f %.1f %d %s %d %.1f\n", n/(b-a), s-a, c/t/n*1e6, cr/t/n*1e6, k, conns, f, x/t/n*1e6}'
}

echo
echo "== Kannel and Loa in turns, N=$N, $RUNS rounds (Loa: loa send -> Redis -> loa-gatewayd -> nginx, AOF $APPENDFSYNC; provider $purl)"
printf '%-6s %12s %12s %10s %8s %12s %12s %8s %6s %8s %7s %14s\n' round "Kannel req" "Kannel bulk" "Loa msg/s" "ratio" "Loa µs/msg" "+redis µs" "RSS MiB" conns resumed failed "nginx µs K/L"
ngxs=(); rates=(); cpus=(); cpus_r=(); rsss=(); sends=(); k_req=(); k_bulk=(); k_us=(); k_ngx=(); ratios=()
for run in $(seq "$RUNS"); do
  k=(0 0 0 0 0)
  if [ "$KANNEL" = 1 ]; then stop_nginx; read -r -a k <<<"$(kannel_round "$run")"; fi
  start_nginx
  read -r rate send_s cpu cpur hwm conns resumed failed ngx <<<"$(loa_round "$run")"
  stop_nginx
  [ -n "${rate:-}" ] || continue
  best=$(( k[0] > k[1] ? k[0] : k[1] ))
  ratio=$(awk -v a="$rate" -v b="$best" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print "-"}')
  printf '%-6s %12s %12s %10s %8s %12s %12s %8.1f %6s %8s %7s %14s\n' "$run" "${k[0]}" "${k[1]}" "$rate" "$ratio" "$cpu" "$cpur" \
    "$(awk -v k="$hwm" 'BEGIN {print k/1024}')" "$conns" "$resumed" "$failed" "${k[4]}/$ngx"
  ngxs+=("$ngx")
  rates+=("$rate"); cpus+=("$cpu"); cpus_r+=("$cpur"); rsss+=("$hwm"); sends+=("$send_s")
  if [ "$KANNEL" = 1 ]; then k_req+=("${k[0]}"); k_bulk+=("${k[1]}"); k_us+=("${k[2]}" "${k[3]}"); k_ngx+=("${k[4]}"); ratios+=("$ratio"); fi
done
if [ ${#rates[@]} -gt 0 ]; then
  echo "Loa median: $(printf '%s\n' "${rates[@]}" | median) msg/s end to end, $(printf '%s\n' "${cpus[@]}" | median) µs daemon CPU/msg" \
    "($(printf '%s\n' "${cpus[@]}" | median | awk '{printf "%.2f", $1/100}') CPU s per 10,000), $(printf '%s\n' "${cpus_r[@]}" | median) µs with Redis," \
    "peak RSS $(printf '%s\n' "${rsss[@]}" | median | awk '{printf "%.1f", $1/1024}') MiB;" \
    "the provider (nginx) $(printf '%s\n' "${ngxs[@]}" | median) µs a message; loa send (validation + enqueue) $(printf '%s\n' "${sends[@]}" | median) s"
fi
if [ ${#ratios[@]} -gt 0 ]; then
  echo "Kannel median: $(printf '%s\n' "${k_req[@]}" | median) msg/s per request, $(printf '%s\n' "${k_bulk[@]}" | median) msg/s bulk," \
    "$(printf '%s\n' "${k_us[@]}" | median) µs CPU/msg (bearerbox + smsbox); the provider (nginx) $(printf '%s\n' "${k_ngx[@]}" | median) µs a message"
  echo "Loa / Kannel (the faster of Kannel's two modes, same round): median $(printf '%s\n' "${ratios[@]}" | median)×" \
    "(rounds: ${ratios[*]}); medians over medians: $(awk -v a="$(printf '%s\n' "${rates[@]}" | median)" \
      -v b="$(printf '%s\n' "${k_req[@]}" | median)" -v c="$(printf '%s\n' "${k_bulk[@]}" | median)" 'BEGIN {printf "%.2f× per request, %.2f× bulk", a/b, a/c}')"
fi

# ---------------------------------------------------------------- rate adherence
echo
echo "== Rate adherence: rate_per_second 200, provider latency 100 ms, $RATE_N messages"
"$bin/tools/loa-fake-provider" --listen 127.0.0.1:0 --latency-ms 100 --log "$W/fake.log" >"$W/fake.out" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$W/fake.out" 2>/dev/null && break; sleep 0.1; done
fake_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$W/fake.out")
python3 "$root/bench/gen_ward.py" "$W/state/wards/rate.csv" "$RATE_N" --clean --seed 7
sed -e "s|url: $purl|url: http://127.0.0.1:$fake_port/send\n    rate_per_second: 200\n    burst: 5|" -e "/ca_file:/d" \
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
