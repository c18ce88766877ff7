#!/usr/bin/env bash
# The README's test command: installs what the tests need, builds (fuzz targets with clang, the rest with g++),
# runs the whole suite with ctest, then the unit and integration tests again under ASan + UBSan
# (scripts/sanitize.sh address, in build-asan/). Arguments go to both ctest runs (e.g. -R Directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" --test
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# libFuzzer targets need clang; they live in their own build tree and the main suite runs them over their seeds.
cmake -S "$root/fuzz" -B "$root/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
cmake --build "$root/build-fuzz"
AXON_CMAKE_ARGS="-DAXON_FUZZ_BIN_DIR=$root/build-fuzz" "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j2 --timeout 600 "$@")
"$root/scripts/sanitize.sh" address "$@"
