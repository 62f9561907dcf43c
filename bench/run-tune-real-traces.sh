#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Tunes fastalloc32 for each recorded real-program trace with `fa32 tune`,
# then measures the recommendation against the default afterwards with
# `fa32 bench -a default=fa32 -a tuned=fa32:config=BEST.json`, and prints
# one Markdown table (bench/tabulate-tune.py): the figures of
# docs/performance.md's "fa32 tune" section.
#
#   bench/run-tune-real-traces.sh [TRACEDIR]
#
#   TRACEDIR  the traces (default build/real-traces; scripts/record-real-traces.sh)
# Environment:
#   FA32              the fa32 binary (default build/app/fa32)
#   FA32_TUNE_ARGS    extra arguments of fa32 tune (default "--objective balanced --budget 60")
#   FA32_TUNE_OUT     keep the configs and JSON reports here (default: a temporary directory)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
case "${1:-}" in
  -h | --help)
    sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
tracedir="${1:-$root/build/real-traces}"
fa32="${FA32:-$root/build/app/fa32}"
read -r -a tune_args <<< "${FA32_TUNE_ARGS:---objective balanced --budget 60}"
out="${FA32_TUNE_OUT:-$(mktemp -d)}"
mkdir -p "$out"
shopt -s nullglob
traces=("$tracedir"/*.fa32)
[ ${#traces[@]} -gt 0 ] || {
  echo "run-tune-real-traces: no .fa32 trace in $tracedir (scripts/record-real-traces.sh records them)" >&2
  exit 2
}
for t in "${traces[@]}"; do
  name="$(basename "$t" .fa32)"
  "$fa32" tune "$t" "${tune_args[@]}" -o "$out/$name.best.json" --format json > "$out/$name.tune.json"
  # bench's notes (the memory limit) would drown the table; kept in a log
  # that a failure prints.
  if ! "$fa32" bench "$t" -a default=fa32 -a "tuned=fa32:config=$out/$name.best.json" --format json \
    > "$out/$name.bench.json" 2> "$out/$name.bench.log"; then
    echo "run-tune-real-traces: fa32 bench failed on $name:" >&2
    cat "$out/$name.bench.log" >&2
    exit 1
  fi
done
python3 "$here/tabulate-tune.py" "$out"
