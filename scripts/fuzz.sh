#!/usr/bin/env bash
# Runs every fuzz target (tests/fuzz) for a given time each, with ASan + UBSan.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60, all targets)
# Builds in build-fuzz/ with -DLOA_FUZZ=ON; each target starts from a copy of its seed
# corpus (tests/fuzz/corpus/<target>) in build-fuzz/corpus/<target>. A crash is saved as
# build-fuzz/crashes/<target>/crash-*, the script exits 1 and says how to keep it as a
# test: copy it into tests/fuzz/corpus/<target>/ (the suite replays that folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
bash "$root/scripts/install-deps.sh"
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends libclang-rt-14-dev >/dev/null
fi
build="$root/build-fuzz"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOA_FUZZ=ON -DLOA_SANITIZE=address,undefined >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(residents xlsx template job config reports http1 api store calendar)
cmake --build "$build" -j"$(nproc)" --target $(printf 'loa_fuzz_%s ' "${targets[@]}")
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  cp -n "$root/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  echo "== $t: ${seconds}s"
  if ! (cd "$crashes" && "$build/tests/fuzz/loa_fuzz_$t" -max_total_time="$seconds" -use_value_profile=1 \
        -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>"$crashes/log.txt"); then
    failed+=("$t")
    echo "   CRASH: $(ls "$crashes" | grep -v log.txt | head -1) (log: $crashes/log.txt)"
    # What went wrong, for a CI log that keeps only this output.
    grep -m3 -E "runtime error|ERROR:|SUMMARY:|^Test unit written" "$crashes/log.txt" | sed 's/^/   /' || true
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added)" "$crashes/log.txt" | sed 's/^/   /' || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}: copy each build-fuzz/crashes/<target>/crash-* into tests/fuzz/corpus/<target>/ with its fix" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, no crash"
