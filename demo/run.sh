#!/usr/bin/env bash
# The Loa demo, end to end on this machine: builds Loa, starts loa-fake-provider and
# loa-gatewayd (with an embedded Redis) on loopback, sends the flag-raising reminder to
# the sample ward (Phường 6, 300 synthetic residents, some numbers deliberately broken),
# follows it, and prints the job's status and report. Everything stops at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
source "$root/scripts/trees.sh"  # build/, configured as scripts/test.sh configures it
loa_tree plain
cmake -S "$root" -B "$build" "${flags[@]}" >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target loa loa-gatewayd loa-fake-provider

state=$(mktemp -d /tmp/loa-demo.XXXXXX)
export LOA_DEMO_STATE="$state"
export LOA_DEMO_DLR_TOKEN=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
config="$root/demo/loa.yaml"
bin="$root/build"
loa() { "$bin/cli/loa" --config "$config" "$@"; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$bin/tools/loa-fake-provider" --listen 127.0.0.1:0 --dlr-delay-ms 300 --log "$state/provider.log" >"$state/provider.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "listening on" "$state/provider.out" 2>/dev/null && break; sleep 0.1; done
export LOA_DEMO_PROVIDER_PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$state/provider.out")

echo "== loa check"
loa check >"$state/check.txt"
tail -n 3 "$state/check.txt"
"$bin/daemon/loa-gatewayd" --config "$config" 2>"$state/gatewayd.log" &
pids=($! "${pids[@]}")
for _ in $(seq 100); do grep -q "listening on" "$state/gatewayd.log" 2>/dev/null && break; sleep 0.1; done
grep "listening on" "$state/gatewayd.log"

vars=(--var "dip_le=Quốc khánh 2/9" --var "tu_ngay=01/09/2026" --var "den_ngay=03/09/2026")
echo; echo "== loa preview"
loa preview --template treo-co --ward phuong-6 "${vars[@]}" --limit 2 >"$state/preview.txt"
head -n 8 "$state/preview.txt"
echo; echo "== loa send"
job=$(loa send --template treo-co --ward phuong-6 "${vars[@]}" --key "demo-$(date +%s)" | tail -n 1)
echo "job $job"
echo; echo "== loa status --watch"
loa status "$job" --watch
# Delivery reports arrive after the sends: wait until none is outstanding (10 s at most).
for _ in $(seq 100); do
  loa status "$job" --json | grep -q '"sent":0,' && break
  sleep 0.1
done
echo; echo "== loa status"
loa status "$job"
echo; echo "== loa report (first rows; the full CSV is $state/report.csv)"
loa report "$job" >"$state/report.txt"
head -n 12 "$state/report.txt"
loa report "$job" --csv >"$state/report.csv"
echo; echo "== skipped rows in the report"
grep -E "Bỏ qua|skipped" "$state/report.txt" || true
echo; echo "The provider received $(wc -l <"$state/provider.log") message(s); state, logs and report are in $state"
