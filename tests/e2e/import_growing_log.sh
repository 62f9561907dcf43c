#!/usr/bin/env bash
# A log still being written (the MALLOC_TRACE of a program that runs on)
# grows between the two passes fa32 import makes over a regular file: the
# import failed ("the header promises N events but M were written") and
# left a truncated trace. It now imports the log as it was when the import
# began. The import writes to a FIFO, whose opening waits for this script
# to open the other end, which happens after the first pass: the log grows
# between the passes without any timing.
#   import_growing_log.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" import_growing_log

awk 'BEGIN { print "= Start"; for (i = 0; i < 1000; i++) printf "+ %#x 0x10\n", 4096 + 32 * i }' >log.mtrace
# grows: the line the program is writing at the second pass, then more.
grows() { printf '+ 0x100000 0x20\n- 0x1000\n+ 0x2000' >>log.mtrace; }

# check FORMAT: imports log.mtrace into a FIFO as FORMAT, the log growing
# after the first pass; the trace holds the 1000 allocations of before.
check() {
  local format=$1
  head -n 1001 log.mtrace >log.tmp && mv log.tmp log.mtrace
  rm -f out trace
  mkfifo out
  # Should the import end without opening out, the read-write opening
  # (which never blocks) lets the script's opening below return.
  {
    "$fa32" import --from mtrace log.mtrace -o out --to "$format" 2>err
    status=$?
    exec 4<>out
    exit $status
  } &
  local pid=$!
  exec 3<out # returns once the import opened its output: the first pass is over
  grows
  cat <&3 >trace
  exec 3<&-
  wait "$pid" || fail "$format: the import of a growing log failed: $(cat err)"
  "$fa32" validate trace >validate.out 2>&1 || fail "$format: the trace does not validate: $(cat validate.out)"
  grep -q "1000 events (1000 malloc)" validate.out || fail "$format: not the log's first 1000 events: $(cat validate.out)"
}
check binary
check jsonl

exit $((failures > 0 ? 1 : 0))
