#!/usr/bin/env bash
# A trace whose file name is not UTF-8 (Latin-1 "café", with markup
# characters too) and whose metadata came from such a name: every JSON
# report is written, valid UTF-8 JSON with U+FFFD for the stray byte, and
# every HTML report is UTF-8 with the name escaped. nlohmann's dump()
# threw on the name, and replay, stats, bench, tune and diff printed
# nothing but "type_error.316".
#   non_utf8_names.sh FA32
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" non_utf8_names
name=$(printf 'caf\xe9 <b>&"x')
shown=$(printf 'caf\xef\xbf\xbd <b>&"x')  # what a report shows: U+FFFD

# check KIND FILE: KIND json or html; FILE must be UTF-8, hold the name
# as shown, and parse as JSON or hold it HTML-escaped.
check() {
  python3 - "$1" "$2" "$shown" <<'PY' || fail "$2: not a valid $1 report"
import html, json, sys
kind, path, shown = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, "rb").read().decode("utf-8")  # strict: raises on a stray byte
if not text.strip():
    sys.exit("empty")
if kind == "json":
    json.loads(text)
    if json.dumps(shown, ensure_ascii=False)[1:-1] not in text:
        sys.exit("the name is missing")
elif html.escape(shown) not in text or "<b>&" in text:
    sys.exit("the name is missing or not escaped")
PY
}
# run KIND OUT CMD...: CMD must exit 0 with KIND on standard output.
run() {
  local kind=$1 out=$2
  shift 2
  "$@" >"$out" 2>err.txt || fail "exit $?: $* ($(head -c 300 err.txt))"
  check "$kind" "$out"
}

# The metadata: an import names its source, here the Latin-1 file name.
printf '+ 0x10 0x10\n+ 0x20 0x30\n- 0x10\n' >"$name.log"
"$fa32" import --from mtrace "$name.log" -o "$name.fa32" || fail "import failed"

run json replay.json "$fa32" replay "$name.fa32" --format json
run json stats.json "$fa32" stats "$name.fa32" --allow-leaks --format json
run html replay.html "$fa32" replay "$name.fa32" --format html
run html stats.html "$fa32" stats "$name.fa32" --allow-leaks --format html
run json validate.json "$fa32" validate --json "$name.fa32"
run json bench.json "$fa32" bench "$name.fa32" -a glibc -n 1 --warmup 0 --min-time 0 --format json
run html bench.html "$fa32" bench "$name.fa32" -a glibc -n 1 --warmup 0 --min-time 0 --format html
run json tune.json "$fa32" tune "$name.fa32" --format json
cp stats.json "$name.json"
run json diff.json "$fa32" diff stats.json "$name.json" --all --format json

exit $((failures > 0))
