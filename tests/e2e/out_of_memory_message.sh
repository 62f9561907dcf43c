#!/usr/bin/env bash
# Memory that runs out where no command catches it (here convert
# --renumber's table of live ids, under a limit on address space) must be
# named as such, with the limit: the error was a bare "std::bad_alloc".
# So must a manager whose pools find no room under the limit.
#   out_of_memory_message.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# 2,000,000 live allocations: about 90 MB of renumbering table.
events() {
  awk 'BEGIN { for (i = 0; i < 2000000; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":16}\n", 100000000 + 7 * i }'
}
out=$(events | (ulimit -v 60000 && "$fa32" convert --renumber - "$dir/out.fa32") 2>&1)
rc=$?
fail=0
[ "$rc" = 2 ] || { echo "out_of_memory_message: exit $rc, expected 2" >&2; fail=1; }
grep -q "out of memory: .*ulimit -v, is 60000 KiB" <<<"$out" || {
  echo "out_of_memory_message: the error does not say that the memory ran out, under which limit" >&2
  fail=1
}
if grep -q "bad_alloc" <<<"$out"; then
  echo "out_of_memory_message: a bare bad_alloc" >&2
  fail=1
fi
# The trace it could not finish is removed, as after a write error: it
# would read as a shorter, unfinished trace of the same input.
if [ -e "$dir/out.fa32" ]; then
  echo "out_of_memory_message: the unfinished trace was left behind" >&2
  fail=1
fi
grep -q "the incomplete file was removed" <<<"$out" || {
  echo "out_of_memory_message: the error does not say the unfinished trace was removed" >&2
  fail=1
}
[ "$fail" = 0 ] || { echo "$out" | head -c 2000 >&2; exit 1; }
# Without the limit the same conversion succeeds (it only needs the memory).
events | "$fa32" convert --renumber - "$dir/out.fa32" >/dev/null 2>&1 || {
  echo "out_of_memory_message: fails without the limit" >&2
  exit 1
}

# The manager's pools need more address space than the limit leaves even
# at their smallest (64 classes of 64 MiB): a valid config the system had
# no room for, not one fastalloc32 "rejected", and the limit is named.
"$fa32" gen -n 100 -o "$dir/t.jsonl" 2>/dev/null || { echo "out_of_memory_message: gen failed" >&2; exit 1; }
out=$( (ulimit -v 200000 && "$fa32" replay "$dir/t.jsonl" --pool-size 64M) 2>&1 >/dev/null)
rc=$?
[ "$rc" = 2 ] || { echo "out_of_memory_message: replay: exit $rc, expected 2" >&2; fail=1; }
grep -q "fastalloc32 could not reserve the memory for its pools (.*): out of memory (.*ulimit -v, is 200000 KiB)" \
  <<<"$out" || {
  echo "out_of_memory_message: replay: the error does not say the pools found no room under the limit" >&2
  fail=1
}
if grep -q "rejected" <<<"$out"; then
  echo "out_of_memory_message: replay: a valid config called rejected" >&2
  fail=1
fi
[ "$fail" = 0 ] || { echo "$out" | head -c 2000 >&2; exit 1; }
"$fa32" replay "$dir/t.jsonl" --pool-size 64M >/dev/null 2>&1 || {
  echo "out_of_memory_message: replay fails without the limit" >&2
  exit 1
}
echo "out_of_memory_message: ok"
