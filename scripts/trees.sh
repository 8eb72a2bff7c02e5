# The two build trees every script shares (sourced, not run):
#   build/        -O2, line tables (-g1): the suite, the demo, the benchmarks, the package
#   build-asan/   -O1, line tables, ASan + UBSan and libFuzzer's guidance (LOA_FUZZ): the
#                 suite again, and the fuzz targets (scripts/fuzz.sh); one tree for both
# Line tables are what a backtrace, perf and a sanitizer's report need; full debug info
# (-g) took a third of a build's time, and -O2 under ASan twice what -O1 takes (docs/testing.md,
# "Tests"). A developer who wants gdb's variables configures a tree of their own.
# loa_tree KIND sets $build and $flags for KIND (plain or sanitized) and installs what that
# tree needs beyond scripts/install-deps.sh.
loa_tree() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  case "$1" in
    plain)
      build="$root/build"
      flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DLOA_WERROR=ON)
      ;;
    sanitized)
      build="$root/build-asan"
      flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DLOA_WERROR=ON
             -DLOA_SANITIZE=address,undefined -DLOA_FUZZ=ON)
      if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
        local sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends libclang-rt-14-dev >/dev/null
      fi
      export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
      ;;
    *)
      echo "loa_tree: plain or sanitized, not '$1'" >&2
      return 2
      ;;
  esac
}
