#!/usr/bin/env bash
# What the text reports put on a terminal:
#  - a trace named with control characters (an ESC sequence, a newline)
#    is shown with them as \xNN by replay, stats, bench, tune, diff and
#    validate, and no raw ESC byte reaches the output: the name used to
#    recolour the user's terminal, or split a table line in two;
#  - so does Markdown (stats, diff), read in a terminal as often;
#  - so are error messages on stderr, which quote paths and a trace's own
#    bytes (an unknown op);
#  - a table with UTF-8 names (café, 日本) keeps its columns in line on
#    the screen: widths counted in bytes put them one and two columns out.
#   terminal_text.sh FA32 TRACE
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
trace=$2
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" terminal_text

esc=$(printf 'x\033[31mred')
nl=$(printf 'nl\nb')
cp "$trace" "$esc.json" && cp "$trace" "$nl.json" || exit 2

# escaped FILE WHAT: FILE holds no ESC byte, and both names as \xNN.
escaped() {
  if grep -q "$(printf '\033')" "$1"; then fail "$2: a raw ESC byte in the output"; fi
  grep -qF 'x\x1b[31mred.json' "$1" || fail "$2: no x\\x1b[31mred.json in the output"
  grep -qF 'nl\x0ab.json' "$1" || fail "$2: no nl\\x0ab.json in the output"
}
# run OUT CMD...: CMD must exit 0 (its output in OUT).
run() {
  local out=$1
  shift
  "$@" >"$out" 2>err.txt || fail "exit $?: $* ($(head -c 300 err.txt))"
}

for cmd in replay stats; do
  run "$cmd.txt" "$fa32" "$cmd" --format text "$esc.json" "$nl.json"
  escaped "$cmd.txt" "$cmd of two traces"
  run "$cmd-1.txt" "$fa32" "$cmd" --format text "$esc.json"
  grep -qF 'x\x1b[31mred.json' "$cmd-1.txt" || fail "$cmd of one trace: the name not escaped"
done
run bench.txt "$fa32" bench "$esc.json" "$nl.json" -a glibc -n 1 --warmup 0 --min-time 0 --format text
escaped bench.txt bench
# bench's progress line, drawn only when stderr is a terminal (script(1)
# gives it one): it printed the trace's name raw, so the name recoloured
# the terminal. The line's own ESC [K and the log's colours stay.
# script(1) runs the command with $SHELL (/bin/sh when unset, as in CI):
# the command is quoted by bash's printf %q, so bash must read it.
export SHELL=$BASH
cmd=$(printf '%q ' "$fa32" bench "$esc.json" -a glibc -n 1 --warmup 0 --min-time 0 -o bench-tty.txt)
script -qec "$cmd" /dev/null >tty.txt 2>&1 || fail "bench on a terminal: exit $? ($(head -c 300 tty.txt | cat -v))"
if grep -qF "$esc" tty.txt; then fail "bench on a terminal: the name's raw ESC sequence in the progress line"; fi
grep -qF 'x\x1b[31mred.json: glibc' tty.txt || fail "bench on a terminal: no progress line with the name escaped"
# -q is "only errors on stderr": no progress line either.
cmd=$(printf '%q ' "$fa32" -q bench "$esc.json" -a glibc -n 1 --warmup 0 --min-time 0 -o bench-tty.txt)
script -qec "$cmd" /dev/null >tty-q.txt 2>&1 || fail "bench -q on a terminal: exit $?"
[ -s tty-q.txt ] && fail "bench -q on a terminal wrote to stderr: $(head -c 200 tty-q.txt | cat -v)"
run tune.txt "$fa32" tune "$esc.json" "$nl.json" --format text
escaped tune.txt tune
run validate.txt "$fa32" validate "$esc.json" "$nl.json"
escaped validate.txt validate
run "$esc.report.json" "$fa32" stats "$esc.json" --format json
run "$nl.report.json" "$fa32" stats "$nl.json" --format json
"$fa32" diff "$esc.report.json" "$nl.report.json" --all --format text >diff.txt 2>err.txt
[ $? -le 1 ] || fail "diff failed ($(head -c 300 err.txt))"
escaped diff.txt diff
# Markdown is read on a terminal too (cat, a CI log): the same escaping,
# line breaks as spaces inside a table cell.
run stats.md "$fa32" stats --format markdown "$esc.json" "$nl.json"
if grep -q "$(printf '\033')" stats.md; then fail "stats markdown: a raw ESC byte in the output"; fi
grep -qF 'x\x1b[31mred.json' stats.md || fail "stats markdown: the name not escaped"
"$fa32" diff "$esc.report.json" "$nl.report.json" --all --format markdown >diff.md 2>err.txt
[ $? -le 1 ] || fail "diff markdown failed ($(head -c 300 err.txt))"
if grep -q "$(printf '\033')" diff.md; then fail "diff markdown: a raw ESC byte in the output"; fi
grep -qF 'x\x1b[31mred' diff.md || fail "diff markdown: the name not escaped"

# stderr CMD...: CMD must fail with an error holding \x1b[2J and no ESC byte.
stderr() {
  "$@" >/dev/null 2>err.txt && fail "exit 0: $*"
  if grep -q "$(printf '\033')" err.txt; then fail "$*: a raw ESC byte in the error"; fi
  grep -qF 'x\x1b[2J' err.txt || fail "$*: no x\x1b[2J in the error ($(head -c 300 err.txt | cat -v))"
}
stderr "$fa32" stats "$(printf 'x\033[2J.json')"
printf '{"format":"fa32-trace","version":1,"events":[{"op":"x\\u001b[2J"}]}' >bad-op.json
stderr "$fa32" stats bad-op.json

# aligned FILE FIRST: from the line starting FIRST to the next blank line
# (a table whose last column is right-aligned), every line is as wide on
# the screen (East Asian wide characters two columns): its columns line up.
aligned() {
  python3 - "$@" <<'PY' || fail "$1: the table's lines are not all as wide"
import sys, unicodedata
path, first = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith(first))
table = lines[start:lines.index("", start)]
widths = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l) for l in table}
if len(table) < 3 or len(widths) != 1:
    sys.exit("\n".join(table[:4]))
PY
}
cp "$trace" café.json && cp "$trace" 日本.json && cp "$trace" plain.json || exit 2
run utf8-stats.txt "$fa32" stats --format text café.json 日本.json plain.json
aligned utf8-stats.txt figure
run utf8-tune.txt "$fa32" tune --format text café.json 日本.json plain.json
aligned utf8-tune.txt "  trace "

exit $((failures > 0))
