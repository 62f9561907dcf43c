#!/usr/bin/env bash
# fa32 validate remembers every id a trace has used, so a trace of fresh
# sparse ids can outgrow the memory. Under a limit on address space it
# must say so (exit 2, the event, the ids held, the way out) and still
# print its summary, not die with a bare "std::bad_alloc".
#   validate_out_of_memory.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
# 1,000,000 allocations of fresh ids above the dense table's reach: about
# 70 MB of id table, read from a pipe (no file).
events() {
  awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":16}\n", 100000000 + 7 * i }'
}
out=$(events | (ulimit -v 60000 && "$fa32" validate -) 2>&1)
rc=$?
fail=0
[ "$rc" = 2 ] || { echo "validate_out_of_memory: exit $rc, expected 2" >&2; fail=1; }
grep -q "no memory left for the table of ids" <<<"$out" || {
  echo "validate_out_of_memory: the error does not say what ran out" >&2
  fail=1
}
grep -q "jsonl format, [0-9]* events" <<<"$out" || {
  echo "validate_out_of_memory: no summary" >&2
  fail=1
}
if grep -q "bad_alloc" <<<"$out"; then
  echo "validate_out_of_memory: a bare bad_alloc" >&2
  fail=1
fi
[ "$fail" = 0 ] || { echo "$out" | head -c 2000 >&2; exit 1; }
# Without the limit the same trace validates (it only needs the memory).
events | "$fa32" validate - >/dev/null 2>&1 || { echo "validate_out_of_memory: fails without the limit" >&2; exit 1; }
echo "validate_out_of_memory: ok"
