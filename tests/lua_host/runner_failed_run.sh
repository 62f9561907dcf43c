#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-lua-host.sh with a script that fails on every allocator: the
# run fails, and its table names the script and the failed runs instead of
# leaving the script out and stating that every allocator returned the
# same checksum on every script, in every round. Then tabulate.py alone on
# made-up results where one run of three failed: a row with a failed run is
# flagged, not "ok". Also: a script that ends
# the process with os.exit(0) is a failed run, a script printing lines like
# the host's figures does not replace them, a zero scale is refused, and
# run-real-programs.sh stops at the Lua host's usage error and at a bad
# FA32_REAL_* setting before it runs anything; an unknown preset
# in -a fa32-NAME, an allocator twice in -a, a CPU taskset refuses (-c),
# an -o FILE that cannot be written, an option without its value and two
# scripts of one name are usage errors too.
#
#   runner_failed_run.sh SOURCE_DIR HOST WORK_DIR
set -euo pipefail
src="$1"
host="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32,glibc -o "$work/raw.tsv" \
  "$src/bench/lua_host/scripts/json.lua" "$src/tests/lua_host/scripts/lua_error.lua" \
  >"$work/table.md" 2>"$work/stderr.txt" || status=$?
cat "$work/table.md"
[ "$status" = 1 ] || fail "exit status $status, not 1"
grep -q '^FAILED: fa32 on lua_error.lua' "$work/stderr.txt" || fail "no FAILED line for fa32"
grep -qF '| json | ' "$work/table.md" || fail "no row for json"
grep -qxF -- '- lua_error on fa32, round 1' "$work/table.md" || fail "fa32's failed run not listed"
grep -qxF -- '- lua_error on glibc, round 1' "$work/table.md" || fail "glibc's failed run not listed"
grep -qxF -- '- lua_error: no successful run on fa32, glibc' "$work/table.md" || fail "lua_error not missing"
! grep -q 'every allocator returned the same checksum' "$work/table.md" || fail "claims every run agreed"
! grep -q 'on every script, and not slower' "$work/table.md" || fail "claims fa32 fine on every script"
grep -qP '^1\tlua_error\tfa32\tFAILED\t' "$work/raw.tsv" || fail "no FAILED line in the raw results"

# A peer allocator that is not installed is left out, and the table on
# standard output says so; with no glibc run, no claim about glibc.
status=0
FA32_PRELOAD_LIBDIR="$work/no-such-dir" bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 \
  -a fa32,jemalloc "$src/bench/lua_host/scripts/json.lua" >"$work/skipped.md" 2>"$work/skipped.txt" || status=$?
cat "$work/skipped.md"
[ "$status" = 0 ] || fail "skipped peer: exit status $status"
grep -qF "Not installed, so not run and not compared with: jemalloc ($work/no-such-dir/libjemalloc.so.2)." \
  "$work/skipped.md" || fail "the skipped peer is not named on standard output"
! grep -q 'not slower than glibc' "$work/skipped.md" || fail "claims fa32 is not slower than glibc, which did not run"

# A script that ends the process with os.exit(0): the host exits 0 but
# prints no figures, which is a failed run, not an empty cell.
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 -o "$work/exit.tsv" \
  "$src/tests/lua_host/scripts/exits_early.lua" >"$work/exit.md" 2>"$work/exit.txt" || status=$?
[ "$status" = 1 ] || fail "os.exit script: exit status $status, not 1"
grep -q '^FAILED: fa32 on exits_early.lua.*os.exit' "$work/exit.txt" || fail "os.exit script: no FAILED line"
grep -qP '^1\texits_early\tfa32\tFAILED\t' "$work/exit.tsv" || fail "os.exit script: not FAILED in the raw results"

# A script that prints lines like the host's figures: the raw results and
# the checksum check hold the host's figures, one line a run.
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32,glibc -o "$work/prints.tsv" \
  "$src/tests/lua_host/scripts/prints_figures.lua" >"$work/prints.md" 2>"$work/prints.txt" || status=$?
cat "$work/prints.tsv"
[ "$status" = 0 ] || fail "prints_figures: exit status $status, not 0"
[ "$(wc -l <"$work/prints.tsv")" = 2 ] || fail "prints_figures: not one raw line per run"
for a in fa32 glibc; do
  grep -qP "^1\tprints_figures\t$a\t[0-9.]+\treal-checksum\t[0-9]+\$" "$work/prints.tsv" ||
    fail "prints_figures: the raw line of $a does not hold the host's figures"
done

# A scale of zero is refused as the message says, before any run.
for bad in 0 0.0 00; do
  status=0
  bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s "$bad" -a fa32 "$src/tests/lua_host/scripts/args.lua" \
    >/dev/null 2>"$work/scale.txt" || status=$?
  [ "$status" = 2 ] || fail "-s $bad: exit status $status, not 2"
  grep -q 'SCALE must be a positive number' "$work/scale.txt" || fail "-s $bad: no message"
done

# An unknown preset in fa32-NAME is bad usage, refused before any run, not
# a table of failed runs.
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32,fa32-nosuch "$src/tests/lua_host/scripts/args.lua" \
  >"$work/preset.md" 2>"$work/preset.txt" || status=$?
[ "$status" = 2 ] || fail "-a fa32-nosuch: exit status $status, not 2"
grep -q "unknown allocator 'fa32-nosuch': unknown preset 'nosuch'" "$work/preset.txt" || fail "-a fa32-nosuch: no message"
! grep -q '^== round' "$work/preset.txt" || fail "-a fa32-nosuch: runs were made"

# An allocator named twice in -a is bad usage too: its runs would pool
# into one column, shown twice.
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32,glibc,fa32 "$src/tests/lua_host/scripts/args.lua" \
  >/dev/null 2>"$work/twice.txt" || status=$?
[ "$status" = 2 ] || fail "-a fa32,glibc,fa32: exit status $status, not 2"
grep -q "allocator 'fa32' is twice in -a" "$work/twice.txt" || fail "-a fa32,glibc,fa32: no message"

# So are two scripts of one name, whose runs would pool into one row.
mkdir -p "$work/other"
cp "$src/tests/lua_host/scripts/args.lua" "$work/other/args.lua"
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 "$src/tests/lua_host/scripts/args.lua" \
  "$work/other/args.lua" >/dev/null 2>"$work/samename.txt" || status=$?
[ "$status" = 2 ] || fail "two scripts named args: exit status $status, not 2"
grep -q "would share the row 'args'" "$work/samename.txt" || fail "two scripts named args: no message"

# So is an option without its value, in both scripts.
for script in run-lua-host.sh run-real-programs.sh; do
  status=0
  bash "$src/bench/$script" --host "$host" -a >/dev/null 2>"$work/novalue.txt" || status=$?
  [ "$status" = 2 ] || fail "$script -a with no value: exit status $status, not 2"
  grep -q -- "-a needs a value" "$work/novalue.txt" || fail "$script -a with no value: no message"
done

# So is an -o FILE that cannot be written.
touch "$work/a-file"
status=0
bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 -o "$work/a-file/raw.tsv" \
  "$src/tests/lua_host/scripts/args.lua" >/dev/null 2>"$work/keep.txt" || status=$?
[ "$status" = 2 ] || fail "-o in a file: exit status $status, not 2"
grep -q "^run-lua-host.sh: cannot write -o $work/a-file/raw.tsv" "$work/keep.txt" || fail "-o in a file: no message"

# A CPU that taskset refuses (-c) is bad usage too.
for bad in abc 99999; do
  status=0
  bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 -c "$bad" "$src/tests/lua_host/scripts/args.lua" \
    >/dev/null 2>"$work/cpu.txt" || status=$?
  [ "$status" = 2 ] || fail "-c $bad: exit status $status, not 2"
  grep -q "^run-lua-host.sh: -c '$bad' is not a CPU" "$work/cpu.txt" || fail "-c $bad: no message"
done

# run-real-programs.sh stops at the Lua host's usage error (exit 2) instead
# of going on to record and replay the traces.
status=0
bash "$src/bench/run-real-programs.sh" --host "$host" --fa32 "$(type -P true)" -a nosuchalloc "$work/no-traces" \
  >/dev/null 2>"$work/usage.txt" || status=$?
[ "$status" = 2 ] || fail "run-real-programs with -a nosuchalloc: exit status $status, not 2"
grep -q "unknown allocator 'nosuchalloc'" "$work/usage.txt" || fail "run-real-programs: no usage message"
! grep -q 'the recorded traces' "$work/usage.txt" || fail "run-real-programs went on to the traces"
[ ! -e "$work/no-traces" ] || fail "run-real-programs recorded traces after a usage error"
# So does a bad setting of the traces' (FA32_REAL_*), before the Lua host runs.
status=0
FA32_REAL_RUNS=abc bash "$src/bench/run-real-programs.sh" --host "$host" --fa32 "$(type -P true)" -a fa32 \
  "$work/no-traces" >/dev/null 2>"$work/env.txt" || status=$?
[ "$status" = 2 ] || fail "run-real-programs with FA32_REAL_RUNS=abc: exit status $status, not 2"
grep -q "^run-real-programs: FA32_REAL_RUNS must be" "$work/env.txt" || fail "FA32_REAL_RUNS=abc: no message"
! grep -q 'the Lua host' "$work/env.txt" || fail "run-real-programs ran the Lua host with FA32_REAL_RUNS=abc"
[ ! -e "$work/no-traces" ] || fail "run-real-programs recorded traces with FA32_REAL_RUNS=abc"

# One failed round of three: the medians are of the other two, and the
# failed run is named.
{
  printf '1\ta\tfa32\t0.5\tx\t1\n'
  printf '2\ta\tfa32\tFAILED\t-\t-\n'
  printf '3\ta\tfa32\t0.7\tx\t1\n'
  printf '%s\ta\tglibc\t0.6\tx\t1\n' 1 2 3
} >"$work/partial.tsv"
status=0
python3 "$src/bench/lua_host/tabulate.py" "$work/partial.tsv" fa32 glibc >"$work/partial.md" || status=$?
cat "$work/partial.md"
[ "$status" = 1 ] || fail "tabulate.py exit status $status with a failed run, not 1"
grep -qF '| a | 0.600 (1.00 / 1.00) | 0.600 (1.00 / 1.00) |' "$work/partial.md" || fail "row a"
grep -qxF -- '- a on fa32, round 2' "$work/partial.md" || fail "the failed round not listed"
! grep -q 'in every round' "$work/partial.md" || fail "claims every round agreed"
# The median of the rounds that finished is no verdict on the one that
# failed: the row is flagged, not "ok", and fa32 is not said to be fine.
grep -qF '| a | 0.600 (1.00 / 1.00) | 0.600 (1.00 / 1.00) | failed runs left out: fa32 round 2 |' \
  "$work/partial.md" || fail "row a is not flagged for its failed run"
! grep -q 'within 3 % of it on every script' "$work/partial.md" || fail "claims fa32 fine on every script"
echo "ok"
