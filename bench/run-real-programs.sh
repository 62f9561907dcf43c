#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The real-program benchmarks in one command: the Lua host
# (bench/run-lua-host.sh: eight Lua scripts on fastalloc32's default config
# and on glibc, jemalloc, mimalloc and tcmalloc), then the recorded traces
# of seven Debian programs (bench/run-real-traces.sh: recorded first by
# scripts/record-real-traces.sh when TRACEDIR holds none, then replayed
# with --touch all and --touch first). Prints both Markdown tables, each
# with its goal check, on standard output; progress goes to standard error.
#
#   bench/run-real-programs.sh [--quick] [-a LIST] [--fa32 BINARY] [--host BINARY] [TRACEDIR]
#
#   --quick        a smoke run: the Lua host at scale 0.1 with 2 rounds, the
#                  traces 1 run each with --touch all and no minimum run time
#   -a LIST        the Lua host's allocators, comma-separated (default
#                  fa32,glibc,jemalloc,mimalloc,tcmalloc; fa32 variants as
#                  run-lua-host.sh takes them, such as fa32-no-huge-pages);
#                  the traces run on the default five whatever LIST says,
#                  and on the configs in FA32_REAL_VARIANTS
#   --fa32 BINARY  the fa32 binary (default build/app/fa32)
#   --host BINARY  the Lua host (default build/bench/lua_host/fa32_lua_host)
#   TRACEDIR       the recorded traces (default build/real-traces)
# The environment variables of the two scripts still apply (FA32_LUA_ROUNDS,
# FA32_REAL_RUNS, FA32_REAL_TOUCH, FA32_REAL_VARIANTS, ...; see their
# --help). So FA32_REAL_VARIANTS=no-huge-pages with
# -a fa32,fa32-no-huge-pages,glibc,jemalloc,mimalloc,tcmalloc puts that
# config beside the default in both tables. About 3-4 minutes in all on
# two cores, with the default rounds and runs.
#
# Exit status: 0 when every run of both finished (goals missed are reported,
# not an error), 1 when a run of either failed, 2 on bad usage.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
usage() { sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

quick=0 lua_allocs="" fa32="$root/build/app/fa32" host="$root/build/bench/lua_host/fa32_lua_host" tracedir=""
# Option $1's value, $2, or a usage error (exit 2, as --help says).
need() { [ $# -ge 2 ] && [ -n "$2" ] && return; echo "run-real-programs: $1 needs a value" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    -a) need "$@"; lua_allocs="$2"; shift ;;
    --fa32) need "$@"; fa32="$2"; shift ;;
    --host) need "$@"; host="$2"; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run-real-programs: unknown option $1 (see --help)" >&2; exit 2 ;;
    *)
      [ -z "$tracedir" ] || { echo "run-real-programs: one TRACEDIR at most (see --help)" >&2; exit 2; }
      tracedir="$1"
      ;;
  esac
  shift
done
tracedir="${tracedir:-$root/build/real-traces}"
# Both binaries are checked before anything runs, so a bad call fails at once.
[ -x "$fa32" ] || { echo "run-real-programs: no fa32 binary at $fa32 (cmake --build build)" >&2; exit 2; }
[ -x "$host" ] || {
  echo "run-real-programs: no Lua host at $host (cmake -S . -B build -DFA32_BUILD_BENCH=ON && cmake --build build)" >&2
  exit 2
}

lua_args=(--host "$host")
[ -z "$lua_allocs" ] || lua_args+=(-a "$lua_allocs")
if [ "$quick" = 1 ]; then
  lua_args+=(--quick)
  export FA32_REAL_RUNS="${FA32_REAL_RUNS:-1}" FA32_REAL_TOUCH="${FA32_REAL_TOUCH:-all}"
  export FA32_REAL_MIN_TIME="${FA32_REAL_MIN_TIME:-0}"
fi
# The traces' settings are checked now, not after minutes of the Lua host.
# shellcheck source=bench/real-traces-env.sh
source "$here/real-traces-env.sh"
real_traces_env run-real-programs
real_traces_check_variants run-real-programs "$fa32"

status=0
echo "run-real-programs: the Lua host" >&2
rc=0
"$here/run-lua-host.sh" "${lua_args[@]}" || rc=$?
# A usage error (an unknown allocator in -a, say) stops here, before minutes
# of recording and replaying; failed runs are in the table and go on.
[ "$rc" != 2 ] || exit 2
[ "$rc" = 0 ] || status=1
echo
echo "run-real-programs: the recorded traces in $tracedir" >&2
if [ ! -d "$tracedir" ] || ! compgen -G "$tracedir/*.fa32" >/dev/null; then
  record=("$root/scripts/record-real-traces.sh" --fa32 "$fa32")
  [ "$quick" = 0 ] || record+=(--scale 0.02)
  "${record[@]}" "$tracedir" >&2 || status=1
  # None recorded: run-real-traces.sh would record them all over again,
  # at the full scale even with --quick.
  compgen -G "$tracedir/*.fa32" >/dev/null || {
    echo "run-real-programs: no trace was recorded in $tracedir; no traces' table" >&2
    exit 1
  }
fi
echo "### Recorded real traces"
echo
rc=0
FA32="$fa32" "$here/run-real-traces.sh" "$tracedir" || rc=$?
[ "$rc" != 2 ] || exit 2
[ "$rc" = 0 ] || status=1
exit "$status"
