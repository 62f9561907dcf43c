#!/usr/bin/env bash
# check_report.py must be able to fail: a report it passes, then the same
# report with one figure changed, with an error the trace does not cause,
# or an empty list, and a stand-in fa32 whose stats writes the right report
# but exits 1 (or 2). Each of those must be exit 1 from the checker.
#   check_report_fails.sh FA32 CHECKER TRACE
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
checker=$2
trace=$3
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" check_report_fails

# check WANT WHAT ARGS...: the checker exits WANT on ARGS.
check() {
  local want=$1 what=$2
  shift 2
  python3 "$checker" "$@" "$trace" >out.txt 2>&1
  local rc=$?
  [ "$rc" = "$want" ] || fail "$what: checker exit $rc, expected $want: $(head -c 300 out.txt)"
}

"$fa32" stats --format json --allow-leaks --leaks 1000000000 "$trace" >report.json || fail "fa32 stats failed"
check 0 "the report as written" --report report.json

# tamper FILE PYTHON: report.json with the statement PYTHON applied to r.
tamper() {
  python3 -c 'import json, sys; r = json.load(open("report.json")); exec(sys.argv[2]); json.dump(r, open(sys.argv[1], "w"))' "$1" "$2"
}
tamper malloc.json 'r["events"]["malloc"] += 1'
check 1 "one malloc too many" --report malloc.json
grep -q 'events.malloc' out.txt || fail "one malloc too many: not named: $(head -c 300 out.txt)"
tamper error.json 'r["error"] = {"kind": "corruption", "event": r["events"]["total"], "message": "made up"}'
check 1 "an error the trace does not cause" --report error.json
echo '[]' >empty.json
check 1 "an empty list of reports" --report empty.json

# A stand-in fa32 whose stats writes the right report but exits CODE.
for code in 1 2; do
  cat >"fa32-exits-$code" <<STUB
#!/bin/sh
"$fa32" "\$@"
exit $code
STUB
  chmod +x "fa32-exits-$code"
  check 1 "fa32 stats exiting $code" --fa32 "./fa32-exits-$code"
  grep -q 'exit status' out.txt || fail "fa32 stats exiting $code: not named: $(head -c 300 out.txt)"
done
check 0 "the real fa32" --fa32 "$fa32"

exit $((failures > 0))
