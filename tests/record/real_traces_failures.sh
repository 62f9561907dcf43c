#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-real-traces.sh when things go wrong, on a small generated trace
# (one quick round: nothing here measures speed): a run that fails shows no
# figures, not even an earlier run's left in FA32_REAL_OUT; a recording that
# fails leaves no trace (and run-real-programs.sh does not record again);
# bad values in the environment are refused.
#
#   real_traces_failures.sh FA32_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
fa32="$1"
src="$2"
work="$3"
# shellcheck source-path=SCRIPTDIR source=script_helpers.sh
. "$(dirname "$0")/script_helpers.sh"
fresh_dir "$work"
run="$src/bench/run-real-traces.sh"
export FA32="$fa32" FA32_REAL_RUNS=1 FA32_REAL_TOUCH=all FA32_REAL_MIN_TIME=0 FA32_REAL_TIMEOUT=300

mkdir "$work/good" "$work/bad"
"$fa32" gen -n 2000 -o "$work/good/small.fa32"
cp "$work/good/small.fa32" "$work/bad/small.fa32"
echo "not a trace" >"$work/bad/broken.fa32"

# A good run keeps its report in FA32_REAL_OUT; a second run into the same
# directory whose bench fails (a broken trace) must not show the first
# run's figures as its own.
FA32_REAL_OUT="$work/out" "$run" "$work/good" >"$work/good.md" 2>"$work/good.err" ||
  fail "the good run exited $? ($(tail -3 "$work/good.err"))"
grep -q '^| small | 2 000 | all |' "$work/good.md" || fail "the good run has no row for small"
[ -s "$work/out/touch-all.json" ] || fail "the good run kept no report"
status=0
FA32_REAL_OUT="$work/out" "$run" "$work/bad" >"$work/bad.md" 2>"$work/bad.err" || status=$?
cat "$work/bad.md"
[ "$status" = 1 ] || fail "a failed bench: exit status $status, not 1"
grep -q 'fa32 bench --touch all exited' "$work/bad.err" || fail "a failed bench: no message"
! grep -q '^| small |' "$work/bad.md" || fail "a failed bench shows the earlier run's figures"

# A program that fails while recorded (lua5.4 stopped by an error in
# LUA_INIT): record-real-traces.sh fails and leaves no trace of it for
# run-real-traces.sh to bench as if recorded.
status=0
LUA_INIT='error("stopped on purpose")' "$src/scripts/record-real-traces.sh" --fa32 "$fa32" --scale 0.02 \
  --only lua "$work/failed-rec" >/dev/null 2>"$work/failed-rec.err" || status=$?
[ "$status" = 1 ] || fail "a failed recording: exit status $status, not 1"
grep -q 'record-real-traces: lua failed' "$work/failed-rec.err" || fail "a failed recording: no message"
[ ! -e "$work/failed-rec/lua-tables.fa32" ] || fail "a failed recording left its trace"

# run-real-programs.sh --quick after such a failed recording: no table of
# traces, and no second recording (by run-real-traces.sh, at full scale).
status=0
LUA_INIT='error("stopped on purpose")' "$src/bench/run-real-programs.sh" --quick -a fa32 --fa32 "$fa32" \
  --host "$(type -P true)" "$work/failed-rec-2" >"$work/programs.md" 2>"$work/programs.err" || status=$?
[ "$status" = 1 ] || fail "run-real-programs after a failed recording: exit status $status, not 1"
[ "$(grep -c 'record-real-traces: lua failed' "$work/programs.err")" = 1 ] ||
  fail "run-real-programs recorded again after a failed recording"
grep -q 'no trace was recorded' "$work/programs.err" || fail "run-real-programs: no message for the missing traces"

# Bad values in the environment are refused with exit 2 and a message
# naming the variable, before any bench runs.
touch "$work/not-a-dir"
for bad in FA32_REAL_RUNS=0 FA32_REAL_RUNS=abc FA32_REAL_MIN_TIME=-5 FA32_REAL_MIN_TIME=x FA32_REAL_TIMEOUT=0 \
  FA32_REAL_TIMEOUT=abc "FA32_REAL_TOUCH= " FA32_REAL_TOUCH=bogus "FA32_REAL_TOUCH=all first all" \
  "FA32_REAL_OUT=$work/not-a-dir" "FA32_REAL_VARIANTS=a;b" FA32_REAL_VARIANTS=no-such-key \
  "FA32_REAL_VARIANTS=no-huge-pages no-huge-pages"; do
  expect_exit 2 "$bad" "$work/env.err" env "$bad" "$run" "$work/good"
  grep -q "^run-real-traces: ${bad%%=*}" "$work/env.err" || fail "$bad: no message naming it ($(cat "$work/env.err"))"
  ! grep -q 'run-real-traces: --touch' "$work/env.err" || fail "$bad: a bench ran"
done
echo "ok"
