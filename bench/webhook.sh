#!/usr/bin/env bash
# The webhook under abuse: a gateway on a private Redis, attacked by loa-webhook-abuse
# (slow-loris, idle, endless chunked, gzip bombs from 200 loopback addresses) while a
# genuine client posts reports and asks /healthz. Prints one JSON line per run and the
# medians.   RUNS=3 SECONDS_PER_RUN=10 RECONNECT_MS=1000 bash bench/webhook.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
secs=${SECONDS_PER_RUN:-10}
reconnect=${RECONNECT_MS:-1000}
bash "$root/scripts/install-deps.sh"
source "$root/scripts/trees.sh"  # build/, configured as scripts/test.sh configures it
loa_tree plain
cmake -S "$root" -B "$build" "${flags[@]}" >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target loa-gatewayd loa-webhook-abuse >/dev/null
W=$(mktemp -d /tmp/loa-webhook-bench.XXXXXX)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
redis-server --port 0 --unixsocket "$W/redis.sock" --save "" --appendonly no --daemonize no >"$W/redis.log" 2>&1 &
for _ in $(seq 50); do [ -S "$W/redis.sock" ] && break; sleep 0.1; done
mkdir -p "$W/templates" "$W/wards"
cat >"$W/loa.yaml" <<YAML
redis: { url: "unix://$W/redis.sock", prefix: wb }
state_dir: $W/state
templates_dir: templates
wards_dir: wards
webhook: { listen: "127.0.0.1:0" }
providers:
  - { name: local, type: http, url: "http://127.0.0.1:9/send", dlr_token: bench }
YAML
"$root/build/daemon/loa-gatewayd" --config "$W/loa.yaml" >"$W/gw.log" 2>&1 &
gw=$!
for _ in $(seq 100); do grep -q "listening on" "$W/gw.log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$W/gw.log" | head -1)
for r in $(seq "$runs"); do
  "$root/build/bench/loa-webhook-abuse" --port "$port" --report-path "/dlr/local?token=bench" --pid "$gw" \
    --seconds "$secs" --reconnect-ms "$reconnect" | tee -a "$W/runs.jsonl"
done
python3 - "$W/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def med(f): return statistics.median(f(r) for r in runs)
print(f"runs {len(runs)}: genuine requests {med(lambda r: r['genuine']['requests'])}, failures {sum(r['genuine']['failures'] for r in runs)}")
print(f"report ms  p50 {med(lambda r: r['genuine']['report_ms']['p50']):.1f}  p99 {med(lambda r: r['genuine']['report_ms']['p99']):.1f}  max {max(r['genuine']['report_ms']['max'] for r in runs):.1f}")
print(f"healthz ms p50 {med(lambda r: r['genuine']['healthz_ms']['p50']):.1f}  p99 {med(lambda r: r['genuine']['healthz_ms']['p99']):.1f}  max {max(r['genuine']['healthz_ms']['max'] for r in runs):.1f}")
print(f"daemon peak RSS {max(r['daemon_kib']['hwm'] for r in runs) / 1024:.1f} MiB")
PY
