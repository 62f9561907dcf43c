#!/usr/bin/env bash
# fa32 record under a limit on address space too small for the recorder's
# reservation (at least 64 MiB): nothing can be recorded, and the warning
# must name the limit. It blamed only a static or set-user-ID program or a
# full disk, neither of which was the cause.
#   address_space_too_small.sh FA32 PROGRAM WORK
# PROGRAM is fa32_rec_known_sequence (exit status 7).
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
program=$2
work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
# 60000 KiB: room for fa32 and the program, not for 64 MiB more.
out=$(ulimit -v 60000 && "$fa32" record -o "$work/t.fa32" -- "$program" return 2>&1)
rc=$?
fail=0
[ "$rc" = 7 ] || { echo "address_space_too_small: exit $rc, expected the program's 7" >&2; fail=1; }
grep -q "the trace is empty" <<<"$out" || { echo "address_space_too_small: no warning" >&2; fail=1; }
grep -q "the limit is 60000 KiB, ulimit -v" <<<"$out" || {
  echo "address_space_too_small: the warning does not name the limit on address space" >&2
  fail=1
}
[ "$fail" = 0 ] || { echo "$out" >&2; exit 1; }
# Without the limit the same program is recorded.
"$fa32" record -o "$work/t.fa32" -- "$program" return >/dev/null 2>&1
rc=$?
if [ "$rc" != 7 ] || ! "$fa32" validate "$work/t.fa32" >/dev/null; then
  echo "address_space_too_small: not recorded without the limit (exit $rc)" >&2
  exit 1
fi
echo "address_space_too_small: ok"
