#!/usr/bin/env bash
# Recording overhead: the same allocation-heavy program run untraced, under
# `fa32 record` (the preloaded recorder alone, and the whole command with
# the conversion to a trace) and under heaptrack. Prints the median wall
# time and the median CPU time (user+sys of the whole process tree, which
# includes heaptrack's interpreter process and fa32's conversion) of N runs.
#   scripts/measure-record-overhead.sh FA32 [RUNS]
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
fa32=${1:?usage: $0 PATH/TO/fa32 [RUNS]}
runs=${2:-5}
lib=$(dirname "$fa32")/../lib/fa32/libfa32_record.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/workload.py" <<'PY'
class Node:
    __slots__ = ("k", "v", "next")
    def __init__(self, k, v, n):
        self.k = k; self.v = v; self.next = n
head = None
for r in range(6):
    d = {}
    for i in range(60000):
        d[str(i) * 3] = [i, str(i), (i, i + 1)]
        head = Node(i, "x" * (i % 300), head if i % 7 else None)
    del d
PY
# Every Python object through malloc: an allocation-heavy real program.
export PYTHONMALLOC=malloc
# The interpreter itself, not a wrapper script (heaptrack follows no exec).
prog=("$(python3 -c 'import sys; print(sys.executable)')" "$work/workload.py")

# Runs are interleaved (one of each configuration per round) so that a
# change in the machine's load affects every configuration alike.
names=()
declare -A walls cpus
run_once() {  # name, command...
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" > /dev/null 2>&1
  rm -rf "$work"/raw/* "$work"/ht*
  read -r wall user sys < "$work/time"
  walls[$name]+="$wall "
  cpus[$name]+="$(echo "$user + $sys" | bc) "
}
median() { printf '%s\n' $1 | sort -n | sed -n "$(((runs + 1) / 2))p"; }

events=$(PYTHONMALLOC=malloc "$fa32" record -o "$work/t.fa32" -- "${prog[@]}" 2>&1 | sed -n 's/.*: \([0-9]*\) events.*/\1/p')
echo "workload: PYTHONMALLOC=malloc python3 (dicts, lists, tuples, strings, linked objects): $events events"
mkdir -p "$work/raw"
names=("untraced" "recorder preload only" "fa32 record (with convert)" "heaptrack")
for _ in $(seq "$runs"); do
  run_once "${names[0]}" "${prog[@]}"
  run_once "${names[1]}" env LD_PRELOAD="$lib" FA32_RECORD_DIR="$work/raw" FA32_RECORD_FOLLOW_FORKS=1 "${prog[@]}"
  run_once "${names[2]}" "$fa32" record -o "$work/t.fa32" -- "${prog[@]}"
  run_once "${names[3]}" heaptrack -o "$work/ht" "${prog[@]}"
done
for n in "${names[@]}"; do
  printf '%-28s wall %6.2f s   cpu %6.2f s   (wall: %s)\n' "$n" "$(median "${walls[$n]}")" "$(median "${cpus[$n]}")" \
    "${walls[$n]}"
done
ls -l "$work"/t.fa32 | awk '{print "trace size", $5, "bytes"}'
