#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/simulate-shared-pages.py on traces made so that each model's peak is
# known by hand, and on input that is not a trace.
#
#   simulate_shared_pages.sh FA32 SOURCE_DIR WORK_DIR
set -euo pipefail
fa32="$1"
src="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
sim() { python3 "$src/bench/simulate-shared-pages.py" --fa32 "$fa32" "$@"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Two classes that peak one after the other: 512 blocks of 16 B (8 KiB),
# all freed, then 8 of 1024 B (8 KiB).
#   owned: each class keeps the pages of its peak, 8 + 8 KiB.
#   shared, 4 KiB spans: 16 B blocks take two 4 KiB spans, given back when
#     empty; the 1024 B class needs 8 KiB spans (8 blocks at least): 8 KiB.
#   shared, 16 KiB spans: one 16 KiB span each, the second the first one
#     again: 16 KiB.
python3 - "$work/phases.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"format": "fa32-trace", "version": 1}) + "\n")
    ev = lambda op, i, size=None: f.write(json.dumps({"op": op, "id": i, **({"size": size} if size is not None else {})}) + "\n")
    for i in range(512): ev("malloc", i, 16)
    for i in range(512): ev("free", i)
    for i in range(512, 520): ev("malloc", i, 1000)
PY
sim --tsv "$work/phases.jsonl" >"$work/phases.tsv"
cat "$work/phases.tsv"
[ "$(sed -n 1p "$work/phases.tsv")" = "$(printf 'trace\towned\tshared_4096\tshared_16384')" ] || fail "header"
[ "$(sed -n 2p "$work/phases.tsv")" = "$(printf 'phases.jsonl\t16384\t8192\t16384')" ] || fail "two phases"

# realloc: in place while it fits the block (16 -> 10 B), moved to the
# 1024 B class otherwise, the new block taken while the old one is live:
# owned 4 + 4 KiB; shared (4 KiB spans) 4 + 8 KiB at the move.
python3 - "$work/realloc.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"format": "fa32-trace", "version": 1}) + "\n")
    for e in ({"op": "malloc", "id": 0, "size": 16}, {"op": "realloc", "id": 0, "size": 10},
              {"op": "realloc", "id": 0, "size": 1000}, {"op": "free", "id": 0},
              {"op": "malloc", "id": 1, "size": 100000}):  # large: neither model counts it
        f.write(json.dumps(e) + "\n")
PY
sim --tsv --span 4096 "$work/realloc.jsonl" >"$work/realloc.tsv"
[ "$(sed -n 2p "$work/realloc.tsv")" = "$(printf 'realloc.jsonl\t8192\t12288')" ] || fail "realloc: $(cat "$work/realloc.tsv")"

# A binary trace goes through fa32 convert and gives the same figures.
"$fa32" convert "$work/phases.jsonl" "$work/phases.fa32"
sim --tsv "$work/phases.fa32" | sed -n 2p | cut -f2- >"$work/binary.tsv"
[ "$(cat "$work/binary.tsv")" = "$(printf '16384\t8192\t16384')" ] || fail "binary trace: $(cat "$work/binary.tsv")"

# The Markdown table names the spans and gives MiB.
sim "$work/phases.jsonl" >"$work/table.md"
grep -qF '| trace | owned | shared, spans >= 4 KiB | shared, spans >= 16 KiB |' "$work/table.md" || fail "table header"
grep -qF '| phases.jsonl | 0.02 | 0.01 | 0.02 |' "$work/table.md" || fail "table row"

# Not a trace: an error naming the file, and a non-zero exit.
echo '{"op": "malloc", "id": 0, "size": 16}' >"$work/headless.jsonl"
if sim "$work/headless.jsonl" 2>"$work/err.txt"; then fail "a file without a header was accepted"; fi
grep -q "headless.jsonl: not an fa32 trace" "$work/err.txt" || fail "message: $(cat "$work/err.txt")"
if sim --fa32 "$fa32" "$work/missing.fa32" 2>"$work/err2.txt"; then fail "a missing trace was accepted"; fi
grep -q "missing.fa32" "$work/err2.txt" || fail "message: $(cat "$work/err2.txt")"
if sim --classes 16-256 "$work/phases.jsonl" 2>"$work/err3.txt"; then fail "a range without a step was accepted"; fi
grep -q -- "--classes takes sizes and LO-HI/STEP ranges" "$work/err3.txt" || fail "message: $(cat "$work/err3.txt")"
echo "simulate-shared-pages: every figure as worked out by hand"
