#!/usr/bin/env bash
# Ctrl-C (SIGINT), SIGTERM or SIGHUP in the middle of a convert or an
# import removes the trace file being written and ends the process by the
# signal: the lines written so far of a JSON Lines trace whose header has
# no event_count would otherwise read as a complete, shorter trace
# (fa32 validate exit 0). The command is stopped while it waits for more
# input from a FIFO, so nothing here depends on timing.
#   interrupted_output.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
set -m # background jobs keep SIGINT, as at an interactive shell
fa32=$1
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" interrupted_output

# Events without a header: nothing says how many there are.
"$fa32" gen small-churn -n 100000 --seed 3 -o - | tail -n +2 >events.jsonl || fail "gen failed"
# An mtrace log of 100000 allocations.
awk 'BEGIN { print "= Start"; for (i = 0; i < 100000; i++) printf "+ %#x 0x10\n", 4096 + 32 * i }' >log.mtrace

# interrupt SIGNAL OUT CMD...: runs CMD reading the FIFO "in", feeds it
# INPUT (held open, so CMD waits for more), waits until OUT has data, sends
# SIGNAL, and checks the exit status and that OUT is gone.
interrupt() {
  local sig=$1 input=$2 out=$3
  shift 3
  rm -f in "$out"
  mkfifo in
  "$@" <in &
  local pid=$!
  exec 3>in
  cat "$input" >&3
  local tries=0
  while [ ! -s "$out" ] && [ $tries -lt 600 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  [ -s "$out" ] || fail "$*: $out never written"
  kill -s "$sig" "$pid"
  wait "$pid"
  local rc=$?
  exec 3>&-
  local want=$((128 + $(kill -l "$sig")))
  [ "$rc" = "$want" ] || fail "$* stopped by SIG$sig: exit $rc, expected $want"
  if [ -e "$out" ]; then
    fail "$* stopped by SIG$sig left $out ($("$fa32" validate "$out" 2>&1 | head -1))"
  fi
}

interrupt INT events.jsonl out.jsonl "$fa32" convert - out.jsonl
interrupt TERM events.jsonl out.fa32 "$fa32" convert - out.fa32
interrupt HUP events.jsonl out.json "$fa32" convert --renumber - out.json
interrupt INT log.mtrace imp.jsonl "$fa32" import --from mtrace - -o imp.jsonl

# Finished runs keep their output (the handlers do nothing then).
"$fa32" convert events.jsonl done.jsonl || fail "convert failed"
"$fa32" validate done.jsonl >/dev/null || fail "a finished convert does not validate"

[ "$failures" = 0 ] || exit 1
echo "interrupted_output: ok"
