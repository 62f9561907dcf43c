# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by bench/run-real-traces.sh, and by bench/run-real-programs.sh to
# check the same settings before its Lua host runs: the FA32_REAL_*
# variables run-real-traces.sh documents, read and checked.
# shellcheck shell=bash

# real_traces_env WHO: sets runs, touches, variants, limit and min_time
# from the environment (or their defaults); a bad value is refused with a
# message from WHO and exit 2. fa32 bench would refuse most of them too, but
# only after the traces were recorded, once per touch mode, with exit 1.
real_traces_env() {
  local who="$1" touch variant
  # shellcheck disable=SC2034  # runs, limit and min_time are the caller's
  runs="${FA32_REAL_RUNS:-5}" limit="${FA32_REAL_TIMEOUT:-1200}" min_time="${FA32_REAL_MIN_TIME:-200}"
  read -r -a touches <<<"${FA32_REAL_TOUCH:-all first}"
  read -r -a variants <<<"${FA32_REAL_VARIANTS:-}"
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
  # fa32 bench checks each spec's keys; here only what would make its
  # column ambiguous or its -a argument something else.
  seen=" "
  for variant in "${variants[@]}"; do
    [[ "$variant" =~ ^[A-Za-z0-9][A-Za-z0-9_.,:=+-]*$ ]] ||
      real_traces_bad "$who" "FA32_REAL_VARIANTS: '$variant' is not a fa32 spec (such as no-huge-pages or preset=compact)"
    [[ "$seen" != *" $variant "* ]] || real_traces_bad "$who" "FA32_REAL_VARIANTS: '$variant' twice"
    seen+="$variant "
  done
}

# real_traces_check_variants WHO FA32: each FA32_REAL_VARIANTS spec (read
# by real_traces_env) tried on a tiny generated trace, so that one fa32
# bench refuses is a usage error now, not a failed bench after the traces.
real_traces_check_variants() {
  local who="$1" fa32="$2" probe variant rc
  [ ${#variants[@]} -gt 0 ] || return 0
  probe="$(mktemp -d "${TMPDIR:-/tmp}/fa32-variants.XXXXXX")"
  "$fa32" gen -n 100 -o "$probe/probe.fa32"
  for variant in "${variants[@]}"; do
    rc=0
    "$fa32" -q bench "$probe/probe.fa32" -a "fa32:$variant" --runs 1 --warmup 0 --min-time 0 --format json \
      --output "$probe/probe.json" 2>"$probe/err.txt" || rc=$?
    if [ "$rc" -ne 0 ]; then
      local why
      why="$(tail -n 1 "$probe/err.txt")"
      rm -rf "$probe"
      real_traces_bad "$who" "FA32_REAL_VARIANTS: fa32 bench refused 'fa32:$variant': $why"
    fi
  done
  rm -rf "$probe"
}

real_traces_bad() {
  echo "$1: $2 (see bench/run-real-traces.sh --help)" >&2
  exit 2
}
