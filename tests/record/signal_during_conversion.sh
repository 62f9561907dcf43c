#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A signal to fa32 record after the program exited, while it converts the
# raw recording (seconds for a big one): fa32 died of it and left the trace
# cut short and the scratch directory with the raw recording (hundreds of
# MiB) behind. Now both are removed and fa32 still dies of the signal.
#
#   signal_during_conversion.sh FA32 THREADS_PROGRAM WORK_DIR
set -u
fa32="$1"
threads="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() {
  echo "signal_during_conversion.sh: $*" >&2
  failures=$((failures + 1))
}
# Job control: a background job of a script ignores SIGINT otherwise.
set -m

# record SIGNAL WHEN ITERATIONS: signals fa32 once it has reaped the
# program (WHEN=exited: the first pass) or once the trace is being written
# (WHEN=writing); returns 1 when fa32 finished (exit 0) before the signal.
record() {
  local sig=$1 when=$2 n=$3 out="$work/$1-$2.fa32"
  "$fa32" record -o "$out" -- "$threads" "$n" 2>"$work/err" &
  local pid=$! child=""
  while kill -0 "$pid" 2>/dev/null; do
    if [[ $when == writing ]]; then
      [[ -s $out ]] && break
    else
      # The program's pid is in its raw file's name; once fa32 has reaped
      # it (kill -0 fails), the conversion has begun.
      if [[ -z $child ]]; then
        child=$(find "$work" -name 'raw.*' -printf '%f\n' 2>/dev/null | head -n 1 | cut -d. -f2)
      elif ! kill -0 "$child" 2>/dev/null; then
        break
      fi
    fi
    sleep 0.01
  done
  kill "-$sig" "$pid" 2>/dev/null
  wait "$pid"
  local status=$? expected
  if [[ $status -eq 0 ]]; then
    rm -rf "$out" "$work"/.fa32-record-*
    return 1
  fi
  expected=$((128 + $(kill -l "$sig")))
  [[ $status -eq $expected ]] || fail "SIG$sig while $when: exit $status, not $expected: $(cat "$work/err")"
  # Unless the signal came after the trace was finished, nothing of it is left.
  if [[ -e $out ]] && ! "$fa32" validate "$out" >/dev/null 2>&1; then
    fail "SIG$sig while $when: the trace cut short is left behind ($(wc -c <"$out") bytes)"
  fi
  local leftover
  leftover=$(find "$work" -name '.fa32-record-*')
  [[ -z $leftover ]] || fail "SIG$sig while $when: the scratch directory is left: $leftover"
  rm -rf "$out" "$work"/.fa32-record-*
  return 0
}

for run in "TERM exited" "INT writing" "HUP exited"; do
  read -r sig when <<<"$run"
  # A fast machine may finish converting before the signal: record more.
  n=200000
  until record "$sig" "$when" "$n"; do
    n=$((n * 2))
    if ((n > 3200000)); then
      echo "signal_during_conversion.sh: SIG$sig while $when: the conversion always finished first" >&2
      break
    fi
  done
done

exit "$failures"
