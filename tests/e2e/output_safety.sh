#!/usr/bin/env bash
# What a command writes never destroys what it reads, and a write that
# fails is never an exit 0:
#  - an output that names one of the inputs (the same spelling, ./, a
#    symlink) is refused before anything is opened, and the input is intact,
#    a --config file or a --sizes hist:@FILE as well as a trace, and "-"
#    when standard input or output is one of those files;
#  - import reads a log from a pipe (once) as well as from a file (twice),
#    keeps a pipe's events before a bad line, refuses a pipe without
#    newlines at the first 1 MiB, and fails on a standard input it cannot
#    read (closed, a directory);
#  - a report (or --help, --version) to a full standard output (/dev/full)
#    is exit 2 saying "No space left on device", and a report file cut
#    short is exit 2 and removed, also past a file size limit (ulimit -f)
#    when SIGXFSZ is not ignored, and so is a trace file (gen, convert,
#    import, also from a pipe stopped by a bad line) cut short;
#  - a closed standard descriptor is never taken by a file fa32 writes.
#   output_safety.sh FA32 TRACE
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
trace=$2
# shellcheck source=tests/e2e/scratch_and_fail.sh
. "$(dirname "$0")/scratch_and_fail.sh" output_safety
# expect CODE CMD...: runs CMD, checks its exit code.
expect() {
  local want=$1
  shift
  "$@" >out.txt 2>err.txt
  local rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $* ($(head -c 300 err.txt))"
}
# refused CMD...: CMD must exit 2 saying its output is one of its inputs
# (an exit 2 for another reason, say a config it could not read, would
# leave the input intact too and prove nothing).
refused() {
  expect 2 "$@"
  grep -q 'is also an input' err.txt || fail "not refused as an input: $* ($(head -c 300 err.txt))"
}
intact() {
  cmp -s "$1" "$2" || fail "$1 changed (should equal $2)"
}

# Big enough that a reader has far from all of it buffered when the output
# would be opened (the bug this guards against cut a 6 MB trace to 1 MB).
"$fa32" gen lua-like -n 200000 -o big.jsonl || fail "gen failed"
cp big.jsonl big.orig
ln -s big.jsonl link.jsonl
refused "$fa32" convert big.jsonl big.jsonl
refused "$fa32" convert big.jsonl ./big.jsonl
refused "$fa32" convert link.jsonl big.jsonl
refused "$fa32" convert big.jsonl link.jsonl
intact big.jsonl big.orig
refused "$fa32" replay big.jsonl -o big.jsonl
intact big.jsonl big.orig

printf '+ 0x10 0x10\n- 0x10\n+ 0x20 0x30\n' >m.log
cp m.log m.orig
refused "$fa32" import --from mtrace m.log -o m.log --to jsonl
intact m.log m.orig

cp "$trace" t.json
"$fa32" stats t.json --allow-leaks -o a.json || fail "stats failed"
cp a.json a.orig
refused "$fa32" diff a.json a.json -o a.json
intact a.json a.orig

# "-" is what the descriptor holds: an output over the file standard input
# reads, or standard output appended to an input, is refused too.
# shellcheck disable=SC2094 # the same file both ways is the point
refused "$fa32" convert - big.jsonl <big.jsonl
intact big.jsonl big.orig
# shellcheck disable=SC2094 # the same file both ways is the point
"$fa32" stats --allow-leaks - -o big.jsonl <big.jsonl 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "fa32 stats - -o big.jsonl <big.jsonl: exit $rc, expected 2"
grep -q 'is also an input' err.txt || fail "fa32 stats - -o big.jsonl <big.jsonl: $(head -c 300 err.txt)"
intact big.jsonl big.orig
# shellcheck disable=SC2094 # the same file both ways is the point
"$fa32" convert big.jsonl - --to jsonl >>big.jsonl 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "fa32 convert big.jsonl - >>big.jsonl: exit $rc, expected 2"
grep -q 'is also an input' err.txt || fail "fa32 convert big.jsonl - >>big.jsonl: $(head -c 300 err.txt)"
intact big.jsonl big.orig
expect 0 "$fa32" convert - stdin-copy.jsonl <big.jsonl
intact stdin-copy.jsonl big.orig

# Files read besides the traces are inputs too: replay/stats --config, a
# bench spec's config=FILE and gen's --sizes hist:@FILE.
printf '{"classes": [16, 32, 64], "pool-size": "64K"}\n' >c.json
cp c.json c.orig
refused "$fa32" stats t.json --allow-leaks --config c.json -o ./c.json
intact c.json c.orig
refused "$fa32" replay t.json --config c.json -o c.json
intact c.json c.orig
refused "$fa32" -q bench t.json -a x=fa32:config=c.json -n 1 --warmup 0 -o c.json
intact c.json c.orig
printf '[[16, 1], [32, 1]]\n' >h.json
cp h.json h.orig
refused "$fa32" gen -n 10 --sizes hist:@h.json -o h.json
intact h.json h.orig

# A bench that fails (a missing trace) leaves an earlier report whole, and
# creates no file where there was none.
echo "an earlier report" >report.txt
cp report.txt report.orig
expect 2 "$fa32" -q bench t.json missing.json -a fa32 -n 1 --warmup 0 -o report.txt
intact report.txt report.orig
expect 2 "$fa32" -q bench t.json missing.json -a fa32 -n 1 --warmup 0 -o new-report.txt
[ ! -e new-report.txt ] || fail "a failed bench left new-report.txt behind"

# A bench report to a FIFO reaches its reader: the early check that -o can
# be written does not open the FIFO (its reader saw an end of file, and
# bench then waited for a reader forever; timeout only keeps such a
# failure from hanging the test).
mkfifo report.fifo
cat report.fifo >fifo-report.txt &
reader=$!
timeout 60 "$fa32" -q bench t.json -a fa32 -n 1 --warmup 0 --min-time 0 -o report.fifo 2>err.txt
rc=$?
[ "$rc" = 0 ] || fail "bench -o FIFO: exit $rc, expected 0 ($(head -c 300 err.txt))"
# If bench never opened the FIFO, the reader still waits for a writer:
# opening it both ways never blocks, and closing it ends the reader.
exec 3<>report.fifo
exec 3>&-
wait "$reader"
grep -q 'fa32 bench' fifo-report.txt || fail "bench -o FIFO: the reader got $(wc -c <fifo-report.txt) bytes, not the report"

# record refuses an output it cannot write before it runs the program.
mkdir -p out.dir
expect 2 "$fa32" record -o out.dir -- touch program-ran
[ ! -e program-ran ] || fail "record ran the program before refusing -o out.dir"

# From a pipe: read once, every event kept.
"$fa32" import --from mtrace <(cat m.orig) -o pipe.jsonl --to jsonl 2>err.txt || fail "import from a pipe: $(cat err.txt)"
[ "$(grep -c '"op"' pipe.jsonl)" = 3 ] || fail "import from a pipe wrote $(grep -c '"op"' pipe.jsonl) events, expected 3"
# A pipe that stops at a bad line: exit 2, and the trace keeps the events
# before that line (read once, they are gone otherwise) and reads as
# truncated. From a file, the first pass finds the line and nothing is written.
printf '+ 0x10 0x10\n- 0x10\n+ 0x20 0x30\n+ zz\n+ 0x40 0x8\n' >bad.log
"$fa32" import --from mtrace <(cat bad.log) -o bad-pipe.fa32 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "import of a pipe with a bad line: exit $rc, expected 2"
grep -q ':4: expected "+ PTR SIZE"' err.txt || fail "import of a pipe with a bad line: $(head -c 300 err.txt)"
"$fa32" validate bad-pipe.fa32 >out.txt 2>err.txt
grep -q 'truncated: 3 events recovered' err.txt ||
  fail "the trace of a pipe import stopped by a bad line: $(head -c 300 out.txt err.txt)"
"$fa32" import --from mtrace bad.log -o bad-file.fa32 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "import of a file with a bad line: exit $rc, expected 2"
[ ! -e bad-file.fa32 ] || fail "import of a file with a bad line wrote a trace"
# A pipe without a newline is refused at 1 MiB, not read into memory whole.
head -c 8000000 /dev/zero | "$fa32" import --from mtrace - -o zeros.jsonl 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "import of a pipe without newlines: exit $rc, expected 2"
grep -q '<stdin>:1: the line is longer than 1 MiB' err.txt || fail "import of a pipe without newlines: $(head -c 300 err.txt)"
# A standard input that cannot be read (closed, a directory) is a read
# error, not an empty log: it imported as 0 events, exit 0.
"$fa32" import --from mtrace - -o closed-in.fa32 <&- 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "import of a closed standard input: exit $rc, expected 2"
grep -q '<stdin>: read error: Bad file descriptor' err.txt || fail "import of a closed standard input: $(head -c 300 err.txt)"
"$fa32" import --from logalloc - -o dir-in.fa32 <. 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "import of a directory on standard input: exit $rc, expected 2"
grep -q '<stdin>: read error: Is a directory' err.txt || fail "import of a directory on standard input: $(head -c 300 err.txt)"

# A full standard output.
if [ -w /dev/full ]; then
  for cmd in "replay t.json" "stats t.json --allow-leaks" "validate t.json" "diff a.orig a.orig" \
    "gen -n 1000" "convert t.json -" "--help" "stats --help" "--version"; do
    # shellcheck disable=SC2086
    "$fa32" $cmd >/dev/full 2>err.txt
    rc=$?
    [ "$rc" = 2 ] || fail "fa32 $cmd >/dev/full: exit $rc, expected 2"
    # Why, too: the failed write's errno, kept until the command ends.
    grep -q 'No space left on device' err.txt || fail "fa32 $cmd >/dev/full: no reason: $(head -c 300 err.txt)"
  done
else
  fail "/dev/full is not writable here"
fi

# A report file that could not be written whole (here: past a file size
# limit of 2 KiB, with SIGXFSZ ignored, as a full disk would cut it) is
# exit 2 and is removed: a text or CSV report cut at a line would read as
# complete.
for cmd in "replay t.json --format text" "stats t.json --allow-leaks --format csv" \
  "stats t.json --allow-leaks --format markdown" "diff a.orig a.orig --all"; do
  rm -f cut.out
  # shellcheck disable=SC2086
  (
    trap '' XFSZ
    ulimit -f 2
    "$fa32" $cmd -o cut.out 2>err.txt
  )
  rc=$?
  [ "$rc" = 2 ] || fail "fa32 $cmd -o (2 KiB limit): exit $rc, expected 2"
  [ ! -e cut.out ] || fail "fa32 $cmd -o (2 KiB limit) left a report of $(wc -c <cut.out) bytes behind"
  grep -q 'cut.out: write failed' err.txt || fail "fa32 $cmd -o (2 KiB limit): $(head -c 300 err.txt)"
done

# A trace file cut short by the same limit is exit 2, says why and is
# removed too: it was left behind, and a JSON Lines trace cut at a line end
# can read as a whole, shorter one.
printf '+ 0x%x 0x10\n' $(seq 4096 16 90000) >long.log
for cmd in "gen -n 5000 --to jsonl -o cut.out" "gen -n 5000 --to binary -o cut.out" \
  "gen -n 5000 --to json -o cut.out" "convert big.jsonl cut.out --to jsonl" \
  "convert big.jsonl cut.out --to binary --renumber" "import --from mtrace long.log --to jsonl -o cut.out" \
  "import --from mtrace /dev/stdin --to binary -o cut.out"; do
  rm -f cut.out
  # shellcheck disable=SC2086
  (
    ulimit -f 2
    "$fa32" $cmd 2>err.txt <long.log
  )
  rc=$?
  [ "$rc" = 2 ] || fail "fa32 $cmd (2 KiB limit): exit $rc, expected 2"
  [ ! -e cut.out ] || fail "fa32 $cmd (2 KiB limit) left a trace of $(wc -c <cut.out) bytes behind"
  grep -q 'cut.out: write error: File too large; the incomplete file was removed' err.txt ||
    fail "fa32 $cmd (2 KiB limit): $(head -c 300 err.txt)"
done
# A pipe that stops at a bad line keeps the events before it, unless they
# could not be written: the bad line is the error, the write error is said
# too, and the output, which lacks those events, is removed (it was kept,
# cut short, and the write error not said).
rm -f cut.out
(
  ulimit -f 2
  "$fa32" import --from mtrace - --to jsonl -o cut.out 2>err.txt < <(cat long.log bad.log)
)
rc=$?
[ "$rc" = 2 ] || fail "import of a pipe with a bad line (2 KiB limit): exit $rc, expected 2"
[ ! -e cut.out ] || fail "import of a pipe with a bad line (2 KiB limit) left $(wc -c <cut.out) bytes behind"
grep -q '<stdin>:5374: expected "+ PTR SIZE"' err.txt ||
  fail "import of a pipe with a bad line (2 KiB limit): not the bad line: $(head -c 300 err.txt)"
grep -q 'cut.out: write error: File too large; the incomplete file was removed' err.txt ||
  fail "import of a pipe with a bad line (2 KiB limit): not the write error: $(head -c 300 err.txt)"

# bench copies each trace into a memory file for its workers, which counts
# against the file size limit too: the error named only /proc/PID/fd/N.
(
  ulimit -f 2
  "$fa32" -q bench big.jsonl -a fa32 -n 1 --warmup 0 --min-time 0 >/dev/null 2>err.txt
)
rc=$?
[ "$rc" = 2 ] || fail "fa32 bench (2 KiB limit): exit $rc, expected 2"
grep -q 'big.jsonl: cannot make the in-memory copy the workers replay: .*File too large' err.txt ||
  fail "fa32 bench (2 KiB limit): $(head -c 300 err.txt)"

# The same limit with SIGXFSZ at its default, as a shell leaves it: fa32
# was killed by the signal (exit 153, no message), its output cut short
# left behind.
for cmd in "stats t.json --allow-leaks" "gen -n 1000 --to jsonl"; do
  rm -f cut.out
  # shellcheck disable=SC2086
  (
    ulimit -f 2
    "$fa32" $cmd -o cut.out 2>err.txt
  )
  rc=$?
  [ "$rc" = 2 ] || fail "fa32 $cmd -o (2 KiB limit, SIGXFSZ not ignored): exit $rc, expected 2"
  grep -q 'cut.out: write.*File too large' err.txt ||
    fail "fa32 $cmd -o (2 KiB limit, SIGXFSZ not ignored): $(head -c 300 err.txt)"
done
rm -f cut.out
(
  ulimit -f 2
  "$fa32" stats t.json --allow-leaks -o cut.out 2>/dev/null
)
[ ! -e cut.out ] || fail "fa32 stats -o (2 KiB limit, SIGXFSZ not ignored) left a report behind"

# A closed standard descriptor: the log lines meant for stderr never land in
# the file being written (it would have taken descriptor 2), and a report to
# a closed stdout is still exit 2.
"$fa32" -v gen -n 100 -o closed-stderr.jsonl 2>&-
rc=$?
[ "$rc" = 0 ] || fail "fa32 -v gen 2>&-: exit $rc, expected 0"
grep -q 'fa32: ' closed-stderr.jsonl && fail "fa32 -v gen 2>&- wrote its log into the trace"
expect 0 "$fa32" validate closed-stderr.jsonl
"$fa32" -v stats t.json --allow-leaks -o closed-stderr.json 2>&-
rc=$?
[ "$rc" = 0 ] || fail "fa32 -v stats 2>&-: exit $rc, expected 0"
# A report that was never written holds no log line either: it must exist.
grep -q '"schema_version"' closed-stderr.json || fail "fa32 -v stats 2>&- wrote no report"
grep -q 'fa32: ' closed-stderr.json && fail "fa32 -v stats 2>&- wrote its log into the report"
"$fa32" stats t.json --allow-leaks >&- 2>err.txt
rc=$?
[ "$rc" = 2 ] || fail "fa32 stats >&-: exit $rc, expected 2"

[ "$failures" = 0 ] || exit 1
echo "output_safety: every check passed"
