#!/usr/bin/env bash
# fa32 bench out of file descriptors (ulimit -n) must name the trace and
# the step: the error named only "memfd_create" or /proc/PID/fd/N.
# Not in the sanitizer build: UBSan's vptr check opens a pipe to probe the
# memory it checks, and with no descriptor left it reports a false
# "invalid vptr" and aborts.
#   bench_out_of_descriptors.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" bench_out_of_descriptors
"$fa32" gen lua-like -n 200000 -o big.jsonl || fail "gen failed"

# The copy the workers replay out of descriptors: the memory file itself (4)
# or its /proc entry, opened to write it (5), is refused. The error named
# only "memfd_create" or /proc/PID/fd/N, not the trace. Descriptors the
# test inherited are closed first, so the count is fa32's own.
for n in 4 5; do
  (
    for f in /proc/self/fd/*; do
      fd=${f##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    ulimit -n "$n"
    "$fa32" -q bench big.jsonl -a fa32 -n 1 --warmup 0 --min-time 0 >/dev/null 2>err.txt
  )
  rc=$?
  [ "$rc" = 2 ] || fail "fa32 bench (ulimit -n $n): exit $rc, expected 2"
  grep -q 'big.jsonl: cannot make the in-memory copy the workers replay: .*Too many open files' err.txt ||
    fail "fa32 bench (ulimit -n $n): $(head -c 300 err.txt)"
done

[ "$failures" = 0 ] || exit 1
echo "bench_out_of_descriptors: every check passed"
