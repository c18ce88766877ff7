#!/usr/bin/env bash
# Runs one libFuzzer target over its seeds for N seconds; new inputs go to a temporary folder, never the repo.
set -euo pipefail
bin=$1 seeds=$2 secs=${3:-5}
[ -x "$bin" ] || { echo "missing fuzz target $bin (build fuzz/ with clang first)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A dictionary beside the corpora (fuzz/<target>.dict) is used when there is one.
dict=$(dirname "$seeds")/../$(basename "$seeds").dict
extra=()
[ -f "$dict" ] && extra=(-dict="$dict")
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" "$out" "$seeds" 2>&1 | tail -n 15
