#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-real-programs.sh, the one command for the real-program
# benchmarks, end to end at a tiny scale: bad calls are refused before
# anything runs, and a --quick run prints the Lua host's table (every
# script, fa32 and glibc) and the recorded traces' table (a trace put in
# TRACEDIR beforehand, so nothing is recorded here: real_traces_script.sh
# tests the recording).
#
#   real_programs_script.sh FA32_BINARY LUA_HOST_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
fa32="$1"
host="$2"
src="$3"
work="$4"
run="$src/bench/run-real-programs.sh"
# shellcheck source-path=SCRIPTDIR source=script_helpers.sh
. "$(dirname "$0")/script_helpers.sh"
fresh_dir "$work"

expect_exit 2 "--no-such-flag" "$work/usage.err" "$run" --no-such-flag
grep -q "unknown option --no-such-flag" "$work/usage.err" || fail "--no-such-flag: no message naming it"
expect_exit 2 "missing Lua host" "$work/usage.err" \
  "$run" --fa32 "$fa32" --host "$work/no-such-host" "$work/none" >"$work/usage.out"
grep -q "no Lua host at $work/no-such-host" "$work/usage.err" || fail "missing Lua host: no message"
[ ! -s "$work/usage.out" ] || fail "a refused run printed a table"
[ ! -e "$work/none" ] || fail "a refused run created TRACEDIR"
"$run" --help | grep -q "^  bench/run-real-programs.sh \[--quick\]" || fail "--help shows no usage line"

traces="$work/traces"
mkdir -p "$traces"
"$fa32" gen small-churn -n 20000 -o "$traces/churn.fa32"
"$run" --quick -a fa32,glibc --fa32 "$fa32" --host "$host" "$traces" >"$work/tables.md" 2>"$work/progress.err" ||
  fail "run-real-programs.sh --quick exited $? ($(tail -5 "$work/progress.err"))"
cat "$work/tables.md"
grep -q '^### Lua host' "$work/tables.md" || fail "no Lua host table"
for script in "$src"/bench/lua_host/scripts/*.lua; do
  name="$(basename "$script" .lua)"
  grep -Eq "^\| $name \| (\*\*)?[0-9.]+" "$work/tables.md" || fail "no Lua host row for $name"
done
# The Lua host's memory table: every script's peak RSS growth on both, and
# fa32's ratio to glibc's (the lowest other, as it is the only other).
grep -q '^Peak resident memory each run added' "$work/tables.md" || fail "no Lua host memory table"
for script in "$src"/bench/lua_host/scripts/*.lua; do
  name="$(basename "$script" .lua)"
  grep -Eq "^\| $name \| [0-9]+\.[0-9] \| [0-9]+\.[0-9] \| [0-9.]+x glibc \|$" "$work/tables.md" ||
    fail "no Lua host memory row for $name"
done
grep -q '^| trace | events | touch | fa32 | glibc |' "$work/tables.md" || fail "no recorded-traces table"
grep -Eq '^\| churn \| [0-9 ]+ \| all \|' "$work/tables.md" || fail "no row for the trace in TRACEDIR"
grep -Eq '^\| churn \|.* [0-9.]+ [KM]iB / [0-9.]+ [KM]iB [a-z]+ \([0-9.]+x\) \|' "$work/tables.md" ||
  fail "no replay RSS cell for the trace (against the lowest of the other four)"
# The Lua host's table comes first, as the usage says.
lua_line="$(grep -n '^### Lua host' "$work/tables.md" | head -1 | cut -d: -f1)"
trace_line="$(grep -n '^| trace | events |' "$work/tables.md" | head -1 | cut -d: -f1)"
[ "$lua_line" -lt "$trace_line" ] || fail "the tables are out of order"
echo "ok"
