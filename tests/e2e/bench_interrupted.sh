#!/usr/bin/env bash
# fa32 bench stopped by a signal sent to it alone (kill PID, timeout(1), a
# CI runner cancelling the job; Ctrl-C reaches the workers too) takes its
# running worker with it and writes no report. The worker used to be left
# running on its own, without the bench's timeout and memory watch, until
# its replays were done (here 20 s of them).
#   bench_interrupted.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
set -m # background jobs keep SIGINT, as at an interactive shell
fa32=$1
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" bench_interrupted

"$fa32" gen small-churn -n 200000 --seed 3 -o trace.fa32 || fail "gen failed"

# timed_worker PID: the child of PID that runs a timed bench run (many
# repetitions; the probe and the warm-up replay once), from /proc alone.
timed_worker() {
  local c children
  children=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return
  for c in $children; do
    tr '\0' ' ' 2>/dev/null <"/proc/$c/cmdline" | grep -qE -- '--repetitions [0-9]{2,}' && echo "$c"
  done
}
# running PID: PID exists and is not a zombie waiting for its reaper.
running() {
  local state
  read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [ "$state" != Z ]
}

for sig in INT TERM KILL; do
  rm -f report.txt
  "$fa32" bench trace.fa32 -a glibc -n 1 --min-time 20000 --timeout 100 -o report.txt 2>err.txt &
  main=$!
  worker=
  for _ in $(seq 400); do
    worker=$(timed_worker "$main")
    [ -n "$worker" ] && break
    sleep 0.05
  done
  if [ -z "$worker" ]; then
    fail "SIG$sig: no timed worker seen ($(head -c 300 err.txt))"
    kill -KILL "$main"
    wait "$main"
    continue
  fi
  kill -s "$sig" "$main"
  wait "$main"
  rc=$?
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want"
  [ -e report.txt ] && fail "SIG$sig: a report was written"
  for _ in $(seq 100); do
    running "$worker" || break
    sleep 0.05
  done
  if running "$worker"; then
    fail "SIG$sig: worker $worker still running after fa32 bench ended"
    kill -KILL "$worker"
  fi
done

[ "$failures" = 0 ] || exit 1
echo "bench_interrupted: ok"
