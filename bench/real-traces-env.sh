# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by bench/run-real-traces.sh, and by bench/run-real-programs.sh to
# check the same settings before its Lua host runs: the FA32_REAL_*
# variables run-real-traces.sh documents, read and checked.
# shellcheck shell=bash

# real_traces_env WHO: sets runs, touches, limit and min_time from the
# environment (or their defaults); a bad value is refused with a message
# from WHO and exit 2. fa32 bench would refuse most of them too, but only
# after the traces were recorded, once per touch mode, with exit 1.
real_traces_env() {
  local who="$1" touch
  # shellcheck disable=SC2034  # runs, limit and min_time are the caller's
  runs="${FA32_REAL_RUNS:-5}" limit="${FA32_REAL_TIMEOUT:-1200}" min_time="${FA32_REAL_MIN_TIME:-200}"
  read -r -a touches <<<"${FA32_REAL_TOUCH:-all first}"
  [[ "$runs" =~ ^[1-9][0-9]*$ ]] ||
    real_traces_bad "$who" "FA32_REAL_RUNS must be a positive whole number, not '$runs'"
  [[ "$min_time" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
    real_traces_bad "$who" "FA32_REAL_MIN_TIME must be a number of ms, not '$min_time'"
  # timeout takes 0 as no limit at all.
  [[ "$limit" =~ ^[1-9][0-9]*$ ]] ||
    real_traces_bad "$who" "FA32_REAL_TIMEOUT must be a positive number of seconds, not '$limit'"
  [ ${#touches[@]} -gt 0 ] || real_traces_bad "$who" "FA32_REAL_TOUCH names no touch mode"
  local seen=" "
  for touch in "${touches[@]}"; do
    case "$touch" in
      all | first | none) ;;
      *) real_traces_bad "$who" "FA32_REAL_TOUCH: unknown touch mode '$touch' (all, first or none)" ;;
    esac
    # Each mode's report is touch-MODE.json: a second run of one mode would
    # overwrite the first, and the table would show the second twice.
    [[ "$seen" != *" $touch "* ]] || real_traces_bad "$who" "FA32_REAL_TOUCH: touch mode '$touch' twice"
    seen+="$touch "
  done
}

real_traces_bad() {
  echo "$1: $2 (see bench/run-real-traces.sh --help)" >&2
  exit 2
}
