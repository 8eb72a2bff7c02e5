#!/usr/bin/env bash
# Redis memory per message while a job is kept, and after retention has removed its numbers
# and texts (issue 13, point 5). One gateway with an embedded Redis sends a job of N
# residents to the `file` provider (no network); the job's end is then moved back past
# retention.message_days and `loa purge` runs. Prints Redis dataset bytes (INFO memory
# used_memory_dataset) per message at each step,
# medians over RUNS. Everything stays in a temporary folder; every process is stopped.
#
#   bash bench/retention.sh              # N=50000, RUNS=3
#   N=10000 RUNS=1 bash bench/retention.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-50000}
RUNS=${RUNS:-3}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DLOA_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j"$(nproc)" --target loa loa-gatewayd >/dev/null
bin=$root/build-bench

W=$(mktemp -d /tmp/loa-retention.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

mkdir -p "$W/wards"
python3 "$root/bench/gen_ward.py" "$W/wards/phuong-6.csv" "$N" >/dev/null
cat >"$W/loa.yaml" <<EOF
redis: { url: embedded, prefix: loa }
state_dir: $W/state
templates_dir: $root/templates
wards_dir: $W/wards
wards: { phuong-6: "Phường 6" }
webhook: { listen: "127.0.0.1:0" }
retention: { message_days: 30, audit_days: 1825 }
providers:
  - { name: outbox, type: file, path: $W/state/outbox.jsonl }
routes: { default: [outbox] }
EOF
loa() { "$bin/cli/loa" --config "$W/loa.yaml" "$@"; }
rcli() { redis-cli -s "$W/state/redis.sock" "$@"; }
# Redis's own figure for the data (used_memory less its overhead: scripts, buffers).
used() { rcli info memory | awk -F: '/^used_memory_dataset:/ {print $2+0}'; }

vars=(--var "dip_le=Quốc khánh 2/9" --var "tu_ngay=01/09/2026" --var "den_ngay=03/09/2026")
kept=() purged=()
for run in $(seq "$RUNS"); do
  rm -rf "$W/state" && mkdir -p "$W/state"
  "$bin/daemon/loa-gatewayd" --config "$W/loa.yaml" 2>"$W/gatewayd.log" &
  pid=$!
  pids=("$pid")
  for _ in $(seq 200); do [ -S "$W/state/redis.sock" ] && grep -q "listening on" "$W/gatewayd.log" && break; sleep 0.1; done
  base=$(used)
  job=$(loa send --yes --template treo-co --ward phuong-6 "${vars[@]}" | tail -n 1)
  for _ in $(seq 3000); do loa status "$job" --json | grep -q '"state":"done"' && break; sleep 0.2; done
  total=$(loa status "$job" --json | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  with_job=$(used)
  # The job finished 31 days ago, as far as retention can tell.
  rcli hset "loa:job:$job" finished $(( ($(date +%s) - 31 * 86400) * 1000 )) >/dev/null
  loa purge >/dev/null
  sleep 1  # UNLINK frees in the background
  after=$(used)
  [ "${DEBUG:-0}" = 1 ] && rcli --scan | while read -r k; do echo "$k $(rcli memory usage "$k")"; done | sort -k2 -n | tail -n 8
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  pids=()
  k=$(( (with_job - base) / total )); p=$(( (after - base) / total ))
  echo "run $run: $total messages; Redis dataset $base B empty, $with_job B with the job ($k B/message), $after B after purge ($p B/message)"
  kept+=("$k"); purged+=("$p")
done
echo "median: $(printf '%s\n' "${kept[@]}" | median) B/message while kept, $(printf '%s\n' "${purged[@]}" | median) B/message after purge ($N residents, $RUNS runs)"
