#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Records real programs doing real work with `fa32 record`, one trace each,
# for bench/run-real-traces.sh. The traces are large, so they are made here
# on demand and kept out of git.
#
#   scripts/record-real-traces.sh [--fa32 BINARY] [--scale X] [--only NAMES] [OUTDIR]
#
#   OUTDIR        where the traces go (default: build/real-traces, git-ignored)
#   --fa32 PATH   the fa32 binary (default: $FA32, else build/app/fa32)
#   --scale X     multiply the work (default 1: each program runs for about
#                 a second and records a few hundred thousand to a few
#                 million events); the tests use a small scale
#   --only NAMES  comma-separated subset of: lua python sqlite gawk jq perl git
#
# The programs (scripts/install-deps.sh installs them) and what they do:
#   lua      lua5.4 bench/real-programs/tables.lua: builds, indexes,
#            serialises, parses back and queries 15 k records of tables and strings
#   python   python3 bench/real-programs/json_words.py (PYTHONMALLOC=malloc,
#            so every object is a malloc): 1.5 k documents to JSON and back,
#            word counts, regex rewrites, dict/set aggregation
#   sqlite   sqlite3 on a database file: a schema, 3 k + 50 k rows inserted
#            in one transaction, indexes, joins, grouping, window functions,
#            update, delete, vacuum (bench/real-programs/queries.sql)
#   gawk     gawk -f bench/real-programs/sales.awk over a 100 k-line CSV:
#            sums per region/month/store, arrays of arrays, sorting, string logs
#   jq       jq -f bench/real-programs/orders.jq over a 6 k-order JSON
#            document: group_by, sort_by, unique, string interpolation
#   perl     perl bench/real-programs/words.pl over 15 k lines of text:
#            word and bigram hashes, regex captures and substitutions, sort
#   git      git log -p --stat over a repository of 1 200 commits made by
#            git fast-import (commits editing 40 source files)
# Inputs are generated in a temporary directory by
# bench/real-programs/gen-inputs.py from fixed seeds; hash seeds are fixed
# (PYTHONHASHSEED, PERL_HASH_SEED) and HOME names no directory, so a
# recording is repeatable (but for a few events of Python's start-up: its
# os.environ holds the recorder's per-run variables, which hash differently).
#
# Each trace is checked with `fa32 validate`, and one line per trace says
# its events and peak live bytes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
programs_dir="$root/bench/real-programs"
all_names=(lua python sqlite gawk jq perl git)

usage() { sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() {
  echo "record-real-traces: $*" >&2
  exit 2
}

fa32="${FA32:-$root/build/app/fa32}"
scale=1
only=""
outdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --fa32)
      [ $# -ge 2 ] || die "--fa32 needs a path"
      fa32="$2"
      shift 2
      ;;
    --scale)
      [ $# -ge 2 ] || die "--scale needs a number"
      scale="$2"
      shift 2
      ;;
    --only)
      [ $# -ge 2 ] || die "--only needs names"
      only="$2"
      shift 2
      ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [ -z "$outdir" ] || die "one OUTDIR only"
      outdir="$1"
      shift
      ;;
  esac
done
outdir="${outdir:-$root/build/real-traces}"
if ! [[ "$scale" =~ ^[0-9]*\.?[0-9]+$ ]] || ! awk -v s="$scale" 'BEGIN { exit !(s > 0 && s <= 100) }'; then
  die "--scale must be a number in (0, 100], got '$scale'"
fi
[ -x "$fa32" ] || die "no fa32 binary at $fa32 (build it: cmake --build build --target fa32 fa32_record; or pass --fa32 PATH)"

names=("${all_names[@]}")
if [ -n "$only" ]; then
  IFS=, read -r -a names <<<"$only"
  for n in "${names[@]}"; do
    [[ " ${all_names[*]} " == *" $n "* ]] || die "unknown program '$n' in --only (known: ${all_names[*]})"
  done
fi

# The Debian package's binary first (a version manager's shim on PATH would
# be recorded too), then whatever PATH has.
find_program() {
  if [ -x "/usr/bin/$1" ]; then
    echo "/usr/bin/$1"
  else
    command -v "$1" || true
  fi
}
declare -A binary_of=([lua]=lua5.4 [python]=python3 [sqlite]=sqlite3 [gawk]=gawk [jq]=jq [perl]=perl [git]=git)
declare -A path_of
missing=()
python="$(find_program python3)"
[ -n "$python" ] || missing+=("python3 (generates the inputs)")
for n in "${names[@]}"; do
  p="$(find_program "${binary_of[$n]}")"
  if [ -z "$p" ]; then
    missing+=("${binary_of[$n]}")
  else
    path_of[$n]="$p"
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing program(s): ${missing[*]}; run scripts/install-deps.sh (or leave them out with --only)"
fi

mkdir -p "$outdir"
work="$(mktemp -d "${TMPDIR:-/tmp}/fa32-real-traces.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$python" "$programs_dir/gen-inputs.py" "$work/in" "$scale"

# Repeatable: fixed hash seeds, C locale, UTC, no home directory (no user
# configuration such as ~/.jq, and no random path for programs to hash), no
# system git config.
export LC_ALL=C TZ=UTC PYTHONHASHSEED=0 PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
export HOME=/nonexistent GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_PAGER=cat PAGER=cat

# record NAME TRACE_NAME PROGRAM [ARGS...]: records one program, its output
# to a log, then validates the trace and prints its summary line.
record() {
  local name="$1" trace="$outdir/$2.fa32"
  shift 2
  local log="$work/$name.log"
  rm -f "$trace"
  # A failed program's trace is written all the same: it goes, or
  # bench/run-real-traces.sh would take it for a recording and bench it.
  if ! timeout 300 "$fa32" record -o "$trace" -- "$@" >"$work/$name.out" 2>"$log"; then
    echo "record-real-traces: $name failed: $*" >&2
    tail -n 20 "$log" >&2
    rm -f "$trace"
    exit 1
  fi
  local summary
  if ! summary="$("$fa32" validate --json "$trace")"; then
    echo "record-real-traces: $trace does not validate:" >&2
    "$fa32" validate "$trace" >&2 || true
    rm -f "$trace"
    exit 1
  fi
  "$python" - "$trace" "$summary" <<'EOF'
import json, os, sys
trace, text = sys.argv[1], sys.argv[2]
j = json.loads(text)
j = j["files"][0]
ops = ", ".join(f"{n} {c}" for n, c in j["by_op"].items() if c)
print(f"{os.path.basename(trace)}: {j['events']} events ({ops}), peak live {j['peak_live_bytes']} bytes in "
      f"{j['peak_live_count']} blocks, {os.path.getsize(trace)} bytes on disk")
EOF
}

for n in "${names[@]}"; do
  p="${path_of[$n]}"
  case "$n" in
    lua) record lua lua-tables "$p" "$programs_dir/tables.lua" "$scale" ;;
    python) (
      export PYTHONMALLOC=malloc
      record python python-json "$p" "$programs_dir/json_words.py" "$scale"
    ) ;;
    sqlite)
      rm -f "$work/shop.db"
      record sqlite sqlite-shop "$p" -bail "$work/shop.db" ".read $work/in/load.sql" \
        ".read $programs_dir/queries.sql"
      ;;
    gawk) record gawk gawk-sales "$p" -F, -f "$programs_dir/sales.awk" "$work/in/sales.csv" ;;
    jq) record jq jq-orders "$p" -f "$programs_dir/orders.jq" "$work/in/orders.json" ;;
    perl) record perl perl-words "$p" "$programs_dir/words.pl" "$work/in/words.txt" ;;
    git)
      # The repository is made unrecorded; the recorded work is the log.
      "$p" init -q -b main "$work/repo"
      "$p" -C "$work/repo" fast-import --quiet <"$work/in/history.fi"
      record git git-log "$p" -C "$work/repo" --no-pager log -p --stat --no-color main
      ;;
  esac
done
echo "traces in $outdir" >&2
