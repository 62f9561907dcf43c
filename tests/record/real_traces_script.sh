#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The real-program benchmark's scripts, end to end at a tiny scale:
# scripts/record-real-traces.sh records lua5.4 and python3 doing a little
# real work, the traces validate and replay through fastalloc32 with every
# block checked and no failed allocation, and bench/run-real-traces.sh
# turns one quick fa32 bench run on them into its table.
#
#   real_traces_script.sh FA32_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
fa32="$1"
src="$2"
work="$3"
# shellcheck source-path=SCRIPTDIR source=script_helpers.sh
. "$(dirname "$0")/script_helpers.sh"
fresh_dir "$work"

# Bad usage is refused before anything runs.
expect_exit 2 "--only cobol" "$work/usage.err" \
  "$src/scripts/record-real-traces.sh" --fa32 "$fa32" --only lua,cobol "$work/none"
grep -q "unknown program 'cobol'" "$work/usage.err" || fail "--only cobol: no message naming it"
expect_exit 2 "missing fa32 binary" "$work/usage.err" \
  "$src/scripts/record-real-traces.sh" --fa32 "$work/no-such-fa32" "$work/none"
[ ! -e "$work/none" ] || fail "a refused run created its output directory"

# Record two programs at a small scale.
traces="$work/traces"
"$src/scripts/record-real-traces.sh" --fa32 "$fa32" --scale 0.02 --only lua,python "$traces" >"$work/record.out"
cat "$work/record.out"
for t in lua-tables python-json; do
  [ -s "$traces/$t.fa32" ] || fail "no trace $t.fa32"
  grep -Eq "^$t\.fa32: [0-9]+ events \(.*\), peak live [0-9]+ bytes" "$work/record.out" ||
    fail "no summary line for $t"
  # Replayed with every block's contents checked; the report must show the
  # whole trace replayed, no failed allocation and no error.
  "$fa32" replay --verify --format json -o "$work/$t.json" "$traces/$t.fa32" ||
    fail "fa32 replay --verify $t exited $?"
  python3 - "$work/$t.json" "$traces/$t.fa32" "$fa32" <<'EOF'
import json, subprocess, sys
report = json.load(open(sys.argv[1]))
r = report[0] if isinstance(report, list) else report
validated = json.loads(subprocess.run([sys.argv[3], "validate", "--json", sys.argv[2]], check=True,
                                      capture_output=True, text=True).stdout)["files"][0]
assert validated["errors"] == 0, validated
assert r["error"] is None, r["error"]
assert r["failed"]["allocs"] == 0 and r["realloc"]["failed"] == 0, (r["failed"], r["realloc"])
assert r["events"]["total"] == validated["events"], (r["events"], validated["events"])
# Real work, not just the interpreter's start-up and exit: thousands of
# allocations, and blocks freed as well as allocated.
assert r["events"]["malloc"] + r["events"]["calloc"] > 2000, r["events"]
assert r["events"]["free"] > 1000, r["events"]
print(sys.argv[2], "replayed:", r["events"]["total"], "events")
EOF
done

# Generated inputs come from fixed seeds: the same scale gives the same bytes.
python3 "$src/bench/real-programs/gen-inputs.py" "$work/in1" 0.01
python3 "$src/bench/real-programs/gen-inputs.py" "$work/in2" 0.01
diff -r "$work/in1" "$work/in2" >/dev/null || fail "gen-inputs.py is not deterministic"

# One quick benchmark round on them: the table has a row per trace, with a
# goal verdict and both footprints; the config asked for beside the default
# (FA32_REAL_VARIANTS) is a column and a row of the second table.
FA32="$fa32" FA32_REAL_RUNS=1 FA32_REAL_TOUCH=all FA32_REAL_MIN_TIME=0 FA32_REAL_TIMEOUT=300 \
  FA32_REAL_VARIANTS=no-huge-pages "$src/bench/run-real-traces.sh" "$traces" >"$work/table.md"
cat "$work/table.md"
# (A sanitizer build runs no preloaded allocator: glibc's column is the last before the config's.)
grep -Eq '^\| trace \| events \| touch \| fa32 \| glibc \| (jemalloc \| mimalloc \| tcmalloc \| )?fa32:no-huge-pages \|' \
  "$work/table.md" || fail "no table header"
for t in lua-tables python-json; do
  grep -Eq "^\| $t \| [0-9 ]+ \| all \| (\*\*)?[0-9.]+.* \| (met|\*\*missed\*\*: .*) \|$" "$work/table.md" ||
    fail "no row for $t"
  # glibc's footprint is mallinfo2's, which an AddressSanitizer build's malloc does not fill in.
  glibc_fp='[0-9.]+ [KM]iB'
  if grep -q 'built with AddressSanitizer' "$work/table.md"; then glibc_fp='-'; fi
  grep -E "^\| $t \|" "$work/table.md" | grep -Eq "\| [0-9.]+ [KM]iB / $glibc_fp \|" || fail "no footprints for $t"
  grep -Eq "^\| $t \| all \| fa32:no-huge-pages \| [0-9.]+\*? \| [0-9.]+x \| [0-9.]+x [a-z0-9]+ \| [0-9.]+ [KM]iB \| " \
    "$work/table.md" || fail "no row of the second table for $t"
done
grep -q 'Commit measured: ' "$work/table.md" || fail "the table does not say which commit it measured"
echo "ok"
