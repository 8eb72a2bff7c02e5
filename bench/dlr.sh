#!/usr/bin/env bash
# The webhook on its own (issue 14): how many delivery reports a second it applies. A
# gateway on a private Redis sends a job of N residents through loa-fake-provider (no
# reports), then loa-report-flood posts a report for every message, over CONNECTIONS
# kept-alive connections, one report a request ("single") or JSON lists of BATCH ("list");
# the webhook answers once a report is applied in Redis, so the answered rate is the
# applied rate. In turns (single, list, single, ...), a fresh job each; prints each run,
# the CPU per report of each process, and the medians. Everything on 127.0.0.1, stopped.
#
#   bash bench/dlr.sh                      # N=200000 RUNS=3 CONNECTIONS=32 BATCH=50
#   MODES=list N=1000000 RUNS=1 bash bench/dlr.sh   # lists only (MODES: single, list)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-200000}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-32}
BATCH=${BATCH:-50}
MODES=${MODES:-"single list"}
W=/tmp/loa-dlr-bench

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_build loa loa-gatewayd loa-fake-provider loa-report-flood

rm -rf "$W" && mkdir -p "$W/state" "$W/templates" "$W/wards"
cp "$root/templates/treo-co.yaml" "$W/templates/"
python3 "$root/bench/gen_ward.py" "$W/wards/tinh.csv" "$N" --clean
start_redis "$W"
start_fake "$W" --no-reports
cat >"$W/loa.yaml" <<YAML
redis: { url: "unix://$W/redis.sock", prefix: d }
state_dir: state
templates_dir: templates
wards_dir: wards
wards: { tinh: "Phường 6" }
webhook: { listen: "127.0.0.1:0", max_connections_per_client: 4096 }
providers:
  - { name: fake, type: http, url: "http://127.0.0.1:$fport/send", message_id: id, dlr_token: b3nch,
      max_in_flight: 256, timeout_ms: 10000 }
YAML
"$bin/daemon/loa-gatewayd" --config "$W/loa.yaml" --log-level info >"$W/gw.log" 2>&1 &
gw=$!
pids+=("$gw")
for _ in $(seq 100); do grep -q "listening on" "$W/gw.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$W/gw.log" | head -1)
[ -n "$port" ] || { echo "dlr: the gateway's webhook port not found" >&2; exit 1; }

counts() { "$bin/cli/loa" --config "$W/loa.yaml" status "$1" --json |
  python3 -c 'import json,sys; j=json.load(sys.stdin); c=j["counts"]; print(j["state"], c["sent"], c["delivered"], c["queued"]+c["sending"])'; }
# One run: a job sent (every message 'sent'), then its reports flooded in. Prints
# "reports_per_second gateway_us redis_us flood_us applied".
one_run() {
  local batch=$1 job st
  job=$("$bin/cli/loa" --config "$W/loa.yaml" send --yes --template treo-co --ward tinh \
    --var "dip_le=Quốc khánh 2/9" --var tu_ngay=01/09/2027 --var den_ngay=03/09/2027 --again | tail -1)
  for _ in $(seq 1200); do
    st=$(counts "$job")
    set -- $st
    [ "$1" = done ] && [ "$4" = 0 ] && break
    sleep 0.1
  done
  [ "$2" = "$N" ] || { echo "dlr: job $job: $st, not $N sent" >&2; exit 1; }
  local g0 r0 out
  g0=$(cpu_ticks "$gw"); r0=$(cpu_ticks "$redis")
  out=$(/usr/bin/time -f '%U %S' -o "$W/flood.time" "$bin/bench/loa-report-flood" --port "$port" \
    --path "/dlr/fake?token=b3nch" --job "$job" --count "$N" --connections "$CONNECTIONS" --batch "$batch")
  local g=$(( $(cpu_ticks "$gw") - g0 )) r=$(( $(cpu_ticks "$redis") - r0 ))
  st=$(counts "$job")
  set -- $st
  [ "$3" = "$N" ] || echo "dlr: job $job: only $3 of $N reports applied ($st)" >&2
  echo "$out" | python3 -c "
import json, sys
j = json.load(sys.stdin); n = $N
fl = sum(float(x) for x in open('$W/flood.time').read().split()[:2])
us = lambda ticks: ticks * 1e6 / $tck / n
print(f\"{j['reports_per_second']:.0f} {us($g):.1f} {us($r):.1f} {fl * 1e6 / n:.1f} $3\")"
}

echo "dlr: $N reports a run over $CONNECTIONS connections; $RUNS run(s) each of $MODES (lists of $BATCH)"
printf '%-7s %10s %8s %9s %9s %9s\n' mode "reports/s" "gw µs" "redis µs" "flood µs" applied
: >"$W/results"
for r in $(seq "$RUNS"); do
  for mode in $MODES; do
    b=1
    [ "$mode" = list ] && b=$BATCH
    line=$(one_run "$b")
    echo "$mode $line" >>"$W/results"
    # shellcheck disable=SC2086
    printf '%-7s %10s %8s %9s %9s %9s\n' "$mode" $line
  done
done
for mode in $MODES; do
  echo "median $mode: $(awk -v m="$mode" '$1 == m {print $2}' "$W/results" | median) reports/s applied"
done
