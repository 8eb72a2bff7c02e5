#!/usr/bin/env bash
# Runs every fuzz target (tests/fuzz) for a given time each, with ASan + UBSan.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60, all targets)
# Builds the targets in the sanitized tree, build-asan/ (scripts/trees.sh: the tree that
# `scripts/test.sh --sanitize` runs the suite in), and runs as many targets at once as
# there are cores, each on its own core for SECONDS. Each target starts from a copy of its
# seed corpus (tests/fuzz/corpus/<target>) in build-asan/fuzz/corpus/<target>. A crash is
# saved as build-asan/fuzz/crashes/<target>/crash-*, the script exits 1 and says how to
# keep it as a test: copy it into tests/fuzz/corpus/<target>/ (the suite replays that folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
bash "$root/scripts/install-deps.sh"
source "$root/scripts/trees.sh"
loa_tree sanitized
cmake -S "$root" -B "$build" "${flags[@]}" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(residents xlsx template job config reports http1 api store calendar)
cmake --build "$build" -j"$(nproc)" --target $(printf 'loa_fuzz_%s ' "${targets[@]}")

# One target for SECONDS; its outcome in $work/<target>.out, its log in crashes/<target>.
fuzz_one() {
  local t=$1 corpus="$build/fuzz/corpus/$1" crashes="$build/fuzz/crashes/$1"
  mkdir -p "$corpus" "$crashes"
  cp -n "$root/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  {
    echo "== $t: ${seconds}s"
    if (cd "$crashes" && "$build/tests/fuzz/loa_fuzz_$t" -max_total_time="$seconds" -use_value_profile=1 \
          -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>"$crashes/log.txt"); then
      echo ok > "$work/$t.status"
    else
      echo "   CRASH: $(ls "$crashes" | grep -v log.txt | head -1) (log: $crashes/log.txt)"
      # What went wrong, for a CI log that keeps only this output.
      grep -m3 -E "runtime error|ERROR:|SUMMARY:|^Test unit written" "$crashes/log.txt" | sed 's/^/   /' || true
      echo crash > "$work/$t.status"
    fi
    grep -E "^stat::(number_of_executed_units|new_units_added)" "$crashes/log.txt" | sed 's/^/   /' || true
  } > "$work/$t.out"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=$(nproc)
running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
failed=()
for t in "${targets[@]}"; do
  cat "$work/$t.out"
  [ "$(cat "$work/$t.status" 2>/dev/null)" = ok ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}: copy each build-asan/fuzz/crashes/<target>/crash-* into tests/fuzz/corpus/<target>/ with its fix" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, $jobs at a time, no crash"
