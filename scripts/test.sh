#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit + integration).
#   bash scripts/test.sh              RelWithDebInfo build in build/
#   bash scripts/test.sh --sanitize   ASan + UBSan build in build-asan/ (the tree the fuzz
#                                     targets are built in too: scripts/trees.sh)
# The CTest entries run side by side, as many as there are cores; those that measure time
# run alone (tests/CMakeLists.txt, RUN_SERIAL).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
source "$root/scripts/trees.sh"
loa_tree plain
[ "${1:-}" = "--sanitize" ] && loa_tree sanitized
cmake -S "$root" -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure --timeout 900 -j"$(nproc)"
