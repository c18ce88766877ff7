#!/usr/bin/env bash
# Builds the tree with sanitizers and runs its unit and integration tests under them (the fuzz targets have their
# own ASan build in fuzz/). Usage: scripts/sanitize.sh [address|thread] [ctest arguments...]
#   address (default): ASan + UBSan (UBSan findings fatal) in build-asan/; thread: TSan in build-tsan/.
# The integration tests run the sanitized axon (AXON_BIN) and fail when a server they started exits non-zero or
# logs a report. Each sanitizer exits with its own status (ASan 86, LSan 23, UBSan 87, TSan 66), never one of
# axon's (0, 1, 2), so a test that expects a failing command is not fooled. ASan, LSan and TSan also write every
# report to BUILD/sanitizer-reports/ (UBSan from g++ writes to stderr only): the run fails when any is there, even
# from a process whose exit status no test looks at, and prints them. Suppressions: tests/sanitizers/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-address}
[ $# -gt 0 ] && shift
case $kind in
  address) build=$root/build-asan ;;
  thread) build=$root/build-tsan ;;
  *) echo "usage: scripts/sanitize.sh [address|thread] [ctest arguments...]" >&2; exit 2 ;;
esac
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXON_SANITIZE="$kind" "${launcher[@]}" \
  >/dev/null
cmake --build "$build"

reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
supp=$root/tests/sanitizers
export ASAN_OPTIONS="halt_on_error=1:exitcode=86:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="exitcode=23:suppressions=$supp/lsan.supp:print_suppressions=0"
export AXON_SANITIZER=$kind  # tests that measure memory or time widen their bounds under a sanitizer
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:log_path=$reports/tsan:suppressions=$supp/tsan.supp"
cd "$build"
status=0
ctest --output-on-failure -j2 --timeout 900 "$@" || status=$?
if compgen -G "$reports/*" >/dev/null; then
  for f in "$reports"/*; do
    echo "==== $f"
    cat "$f"
  done
  echo "sanitize.sh: $kind: sanitizer reports above" >&2
  status=1
fi
exit $status
