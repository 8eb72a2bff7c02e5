#!/usr/bin/env bash
# Province scale (issue 14): one job of N residents through loa-fake-provider, without and
# with a delivery report for every message, side by side in turns (off, on, batch, off,
# ...): "on" posts each report in a request of its own (as eSMS and Twilio do), "batch"
# posts the reports due at once in JSON lists of up to DLR_BATCH (as Infobip does).
# Prints, per run: the rate, the time from `loa send` returning to the first message at the
# provider, the gateway's peak RSS, Redis's bytes per message while the job is kept, and how
# the messages ended; then the medians. Everything on 127.0.0.1, bounded, and stopped.
#
#   bash bench/scale.sh                                  # N_LIST="100000 1000000", RUNS=3
#   N_LIST=100000 RUNS=1 bash bench/scale.sh             # quick
#
# Knobs: N_LIST, RUNS, MIF (max_in_flight, default 1024), MODES ("off on batch"),
# DLR_SENDERS (the fake provider's threads posting reports at once in "on" mode, default
# 64), BATCH_SENDERS (the same in "batch" mode, default 16), DLR_BATCH (reports in one
# request in "batch" mode, default 50), FAKE_THREADS (the fake provider's threads answering
# sends, default 8: it serves the gateway's 1,024 connections with epoll, and more threads
# only cost the two cores it shares with what is measured), KEYS_REPORT=1 (print
# Redis's bytes per message for each kind of key, on stderr), PERF_DIR=DIR (record each
# process's profile with `perf record -g` while the job runs: DIR/<N>-<mode>-<process>.data;
# read with `perf report -i FILE --no-children`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N_LIST=${N_LIST:-"100000 1000000"}
RUNS=${RUNS:-3}
MIF=${MIF:-1024}
MODES=${MODES:-"off on batch"}
DLR_BATCH=${DLR_BATCH:-50}
DLR_SENDERS=${DLR_SENDERS:-64}
BATCH_SENDERS=${BATCH_SENDERS:-16}
FAKE_THREADS=${FAKE_THREADS:-8}
W=/tmp/loa-scale

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_build loa loa-gatewayd loa-fake-provider
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# One run: prints "rate first_ms rss_mib redis_bytes_per_msg sent delivered failed unknown
# gateway_us redis_us provider_us" (the last three: CPU per message of each process).
one_run() {
  local n=$1 mode=$2
  rm -rf "$W/run" && mkdir -p "$W/run/state" "$W/run/templates" "$W/run/wards"
  cp "$root/templates/treo-co.yaml" "$W/run/templates/"
  ln -s "$W/ward-$n.csv" "$W/run/wards/tinh.csv"
  start_redis "$W/run"
  local dlr_args=(--no-reports)
  [ "$mode" = on ] && dlr_args=(--dlr-delay-ms 0 --dlr-senders "$DLR_SENDERS")
  [ "$mode" = batch ] && dlr_args=(--dlr-delay-ms 0 --dlr-senders "$BATCH_SENDERS" --dlr-batch "$DLR_BATCH")
  start_fake "$W/run" --threads "$FAKE_THREADS" "${dlr_args[@]}"
  local port=$fport
  cat >"$W/run/loa.yaml" <<EOF
redis: { url: "unix://$W/run/redis.sock", prefix: s }
state_dir: state
templates_dir: templates
wards_dir: wards
wards: { tinh: "Phường 6" }
webhook: { listen: "127.0.0.1:0", max_connections_per_client: 4096 }
retry: { max_attempts: 3, base_delay_ms: 200, max_delay_ms: 2000 }
providers:
  - name: fake
    type: http
    url: http://127.0.0.1:$port/send
    message_id: id
    dlr_token: b3nch
    max_in_flight: $MIF
    timeout_ms: 10000
EOF
  "$bin/daemon/loa-gatewayd" --config "$W/run/loa.yaml" --log-level "${GW_LOG_LEVEL:-warn}" >"$W/run/gw.log" 2>&1 &
  local gw=$!
  pids+=("$gw")
  sleep 1
  local before
  before=$(redis-cli -s "$W/run/redis.sock" INFO memory | awk -F: '/^used_memory:/ {print $2+0}')
  local start sent_at job cpu_gw cpu_redis cpu_fake
  cpu_gw=$(cpu_ticks "$gw"); cpu_redis=$(cpu_ticks "$redis"); cpu_fake=$(cpu_ticks "$fake")
  local perfs=()
  if [ -n "${PERF_DIR:-}" ]; then
    mkdir -p "$PERF_DIR"
    local p
    for p in "gateway:$gw" "redis:$redis" "provider:$fake"; do
      perf record -q -F 499 -g -o "$PERF_DIR/$n-$mode-${p%%:*}.data" -p "${p#*:}" >/dev/null 2>&1 &
      perfs+=($!)
    done
  fi
  start=$(now_ms)
  job=$("$bin/cli/loa" --config "$W/run/loa.yaml" send --yes --template treo-co --ward tinh \
    --var "dip_le=Quốc khánh 2/9" --var tu_ngay=01/09/2027 --var den_ngay=03/09/2027 | tail -1)
  sent_at=$(now_ms)
  # The first message leaving: message 0's taken_at (Redis's clock, this machine's; stored
  # as milliseconds since the job's epoch), once a dispatcher has taken it for sending.
  local first="" taken epoch
  for _ in $(seq 600); do
    taken=$(redis-cli -s "$W/run/redis.sock" HGET "s:ms:$job:0" 0 | awk -F'\037' '{print $5}')
    if [ -n "$taken" ]; then
      epoch=$(redis-cli -s "$W/run/redis.sock" HGET "s:job:$job" epoch)
      first=$((epoch + taken))
      break
    fi
    sleep 0.05
  done
  # Done: every message has its final state (with reports: delivered, or failed/unknown).
  local st state deadline=$(( $(now_ms) + 900000 ))
  while :; do
    st=$("$bin/cli/loa" --config "$W/run/loa.yaml" status "$job" --json)
    state=$(echo "$st" | python3 -c 'import json,sys; j=json.load(sys.stdin); c=j["counts"]; print(j["state"], c["queued"]+c["sending"], c["sent"])')
    set -- $state
    if [ "$1" = done ] && { [ "$mode" = off ] || [ "$3" = 0 ]; }; then break; fi
    [ "$(now_ms)" -gt "$deadline" ] && { echo "scale: job $job not done after 15 min: $st" >&2; break; }
    sleep 0.2
  done
  local end
  end=$(now_ms)
  local p
  for p in "${perfs[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  local after rss
  after=$(redis-cli -s "$W/run/redis.sock" INFO memory | awk -F: '/^used_memory:/ {print $2+0}')
  rss=$(hwm_kb "$gw")
  # KEYS_REPORT=1: Redis's memory per kind of key (the part before the job id), to stderr.
  if [ "${KEYS_REPORT:-0}" = 1 ]; then
    redis-cli -s "$W/run/redis.sock" --scan | while read -r k; do
      echo "$(redis-cli -s "$W/run/redis.sock" MEMORY USAGE "$k" SAMPLES 0) $k"
    done | awk -v n="$n" '{k = $2; sub(/:[^:]*[0-9][^:]*$/, ":*", k); b[k] += $1}
      END {for (k in b) if (b[k] > 1000) printf "  %-24s %9.1f B/msg\n", k, b[k] / n}' | sort -k2 -nr >&2
  fi
  cpu_gw=$(( $(cpu_ticks "$gw") - cpu_gw )); cpu_redis=$(( $(cpu_ticks "$redis") - cpu_redis ))
  cpu_fake=$(( $(cpu_ticks "$fake") - cpu_fake ))
  echo "$st" | python3 -c "
import json, sys
j = json.load(sys.stdin); c = j['counts']
n, start, sent_at, first, end = $n, $start, $sent_at, int('${first:-0}' or 0), $end
rate = n / max(0.001, (end - start) / 1000)
us = lambda ticks: ticks * 1e6 / $tck / n
print(f\"{rate:.0f} {first - sent_at if first else -1} {$rss / 1024:.1f} {($after - $before) / n:.0f} {c['sent']} {c['delivered']} {c['failed']} {c['unknown']} {us($cpu_gw):.1f} {us($cpu_redis):.1f} {us($cpu_fake):.1f}\")"
  stop "$gw"; stop "$fake"; stop "$redis"
  # How the reports went (the fake's summary on exit: reports and requests), on stderr.
  sed -n 's/^loa-fake-provider: //p' "$W/run/fake.err" | sed "s/^/  $mode: /" >&2
  cp "$W/run/gw.log" "$W/gw-$n-$mode-$(now_ms).log"
  pids=()
}

mkdir -p "$W"
echo "scale: max_in_flight $MIF; N in: $N_LIST; $RUNS run(s) each; reports: $MODES"
printf '%-9s %-4s %9s %10s %9s %11s %9s %9s %7s %7s %7s %7s %7s\n' N dlr "msg/s" "first ms" "RSS MiB" "Redis B/msg" sent delivered failed unknown "gw µs" "redis µs" "fake µs"
for n in $N_LIST; do
  [ -f "$W/ward-$n.csv" ] || python3 "$root/bench/gen_ward.py" "$W/ward-$n.csv" "$n" --clean
  : >"$W/results-$n"
  for r in $(seq "$RUNS"); do
    for mode in $MODES; do
      line=$(one_run "$n" "$mode")
      echo "$mode $line" >>"$W/results-$n"
      # shellcheck disable=SC2086
      printf '%-9s %-4s %9s %10s %9s %11s %9s %9s %7s %7s %7s %7s %7s\n' "$n" "$mode" $line
    done
  done
  for mode in $MODES; do
    rate=$(awk -v m="$mode" '$1 == m {print $2}' "$W/results-$n" | median)
    first=$(awk -v m="$mode" '$1 == m {print $3}' "$W/results-$n" | median)
    rss=$(awk -v m="$mode" '$1 == m {print $4}' "$W/results-$n" | median)
    bpm=$(awk -v m="$mode" '$1 == m {print $5}' "$W/results-$n" | median)
    echo "median N=$n dlr=$mode: $rate msg/s, first message $first ms after send returned, peak RSS $rss MiB, Redis $bpm B/msg"
  done
  # Each reporting mode's rate against the run of "off" beside it.
  awk '$1 == "off" {off[++a] = $2} $1 == "on" {on[++b] = $2} $1 == "batch" {bat[++c] = $2}
       END {for (i = 1; i <= a; i++) {
              if (i <= b) printf "run %d: with a report a request %.0f%% of the rate without\n", i, 100 * on[i] / off[i]
              if (i <= c) printf "run %d: with reports in lists %.0f%% of the rate without\n", i, 100 * bat[i] / off[i]}}' "$W/results-$n"
done
