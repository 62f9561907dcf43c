#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-tune-real-traces.sh on one small trace: the table of the
# default against the tuned config; and a bench that fails ends the
# script with bench's own message, not silently.
#
#   tune_traces_script.sh FA32 SOURCE_DIR WORK_DIR
set -euo pipefail
fa32="$1"
src="$2"
work="$3"
# shellcheck source=tests/record/script_helpers.sh
. "$src/tests/record/script_helpers.sh"
fresh_dir "$work"
mkdir "$work/traces"
cp "$src/traces/examples/crypto-vm.fa32" "$work/traces/"

FA32="$fa32" FA32_TUNE_ARGS="--budget 1" FA32_TUNE_OUT="$work/out" \
  bash "$src/bench/run-tune-real-traces.sh" "$work/traces" >"$work/table.md" 2>"$work/err.txt" ||
  fail "a run on crypto-vm.fa32 failed: $(cat "$work/err.txt")"
grep -q '^| crypto-vm ' "$work/table.md" || fail "no crypto-vm row in the table: $(cat "$work/table.md")"

# A stand-in fa32 whose bench fails, tune being the real one.
cat >"$work/failing-bench" <<STUB
#!/bin/sh
[ "\$1" = bench ] && { echo "bench: the stand-in fails" >&2; exit 1; }
exec "$fa32" "\$@"
STUB
chmod +x "$work/failing-bench"
expect_exit 1 "a failing bench" "$work/err.txt" env FA32="$work/failing-bench" FA32_TUNE_ARGS="--budget 1" \
  FA32_TUNE_OUT="$work/out2" bash "$src/bench/run-tune-real-traces.sh" "$work/traces"
grep -q "fa32 bench failed on crypto-vm" "$work/err.txt" || fail "no word of the failure: $(cat "$work/err.txt")"
grep -q "bench: the stand-in fails" "$work/err.txt" || fail "bench's own message not shown: $(cat "$work/err.txt")"
echo "ok"
