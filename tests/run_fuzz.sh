#!/usr/bin/env bash
# Runs one libFuzzer target over its seeds for N seconds; new inputs go to a temporary folder, never the repo.
# fuzz/<target>.dict, when there is one, is passed as the dictionary.
set -euo pipefail
bin=$1 seeds=$2 secs=${3:-5}
[ -x "$bin" ] || { echo "missing fuzz target $bin (build fuzz/ with clang first)"; exit 1; }
dict=$(dirname "$seeds")/../$(basename "$seeds").dict
dict_arg=()
[ -f "$dict" ] && dict_arg=(-dict="$dict")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" "${dict_arg[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$out" "$seeds" 2>&1 | tail -n 15
