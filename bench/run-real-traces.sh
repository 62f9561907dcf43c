#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmarks the recorded real-program traces: `fa32 bench` replays each one
# through fastalloc32 (plain `fa32`, the default config) and glibc,
# jemalloc, mimalloc and tcmalloc, once writing every byte of every block
# (--touch all, so layout effects show) and once the first byte and one
# byte per page (--touch first), then prints one Markdown table with the
# goal check of each row.
#
#   bench/run-real-traces.sh [TRACEDIR]
#
#   TRACEDIR  the traces (default build/real-traces); when it holds no
#             .fa32 file, scripts/record-real-traces.sh records them first
# Environment:
#   FA32                 the fa32 binary (default build/app/fa32)
#   FA32_REAL_RUNS       measured runs per allocator (default 5; one warm-up round before)
#   FA32_REAL_TOUCH      touch modes, in order (default "all first")
#   FA32_REAL_MIN_TIME   ms a run lasts at least: a short trace is replayed several times (default 200)
#   FA32_REAL_TIMEOUT    seconds allowed for each `fa32 bench` (one per touch mode; default 1200)
#   FA32_REAL_OUT        keep the JSON reports here (default: a temporary directory)
#   FA32_REAL_VARIANTS   fastalloc32 configs to run beside the default, space-separated
#                        fa32 specs without "fa32:" (e.g. "no-huge-pages preset=compact");
#                        each is a column fa32:SPEC and a row of a second table (its
#                        time against the default's, its footprint against glibc's),
#                        and none counts among the allocators of the goals
#
# Exit status: 0 when every run finished (goals missed are reported, not an
# error), 1 when a run failed or a bench timed out, 2 on bad usage (a bad
# value in one of the variables above included).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
case "${1:-}" in
  -h | --help)
    sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
[ $# -le 1 ] || {
  echo "run-real-traces: one TRACEDIR at most (see --help)" >&2
  exit 2
}
tracedir="${1:-$root/build/real-traces}"
fa32="${FA32:-$root/build/app/fa32}"
# shellcheck source=bench/real-traces-env.sh
source "$here/real-traces-env.sh"
real_traces_env run-real-traces
[ -x "$fa32" ] || {
  echo "run-real-traces: no fa32 binary at $fa32 (cmake --build build --target fa32 fa32_record, or set FA32)" >&2
  exit 2
}
real_traces_check_variants run-real-traces "$fa32"
python="$(command -v python3)" || {
  echo "run-real-traces: python3 is needed to make the table (scripts/install-deps.sh)" >&2
  exit 2
}

out="${FA32_REAL_OUT:-}"
if [ -z "$out" ]; then
  out="$(mktemp -d "${TMPDIR:-/tmp}/fa32-real-bench.XXXXXX")"
  trap 'rm -rf "$out"' EXIT
fi
{ mkdir -p "$out" && [ -w "$out" ]; } ||
  real_traces_bad run-real-traces "FA32_REAL_OUT: cannot write the reports in $out"

shopt -s nullglob
traces=("$tracedir"/*.fa32)
if [ ${#traces[@]} -eq 0 ]; then
  echo "run-real-traces: no traces in $tracedir; recording them (scripts/record-real-traces.sh)" >&2
  "$root/scripts/record-real-traces.sh" --fa32 "$fa32" "$tracedir" >&2
  traces=("$tracedir"/*.fa32)
  [ ${#traces[@]} -gt 0 ] || {
    echo "run-real-traces: still no traces in $tracedir" >&2
    exit 1
  }
fi

variant_args=()
for variant in "${variants[@]}"; do variant_args+=(-a "fa32:$variant"); done
status=0
reports=()
for touch in "${touches[@]}"; do
  echo "run-real-traces: --touch $touch, ${#traces[@]} traces, $runs runs each" >&2
  report="$out/touch-$touch.json"
  # fa32 bench exits 1 when a run failed but still writes the report;
  # timeout exits 124 and leaves none. A report left in FA32_REAL_OUT by an
  # earlier run must not stand in for one this run failed to write.
  rm -f "$report"
  rc=0
  timeout "$limit" "$fa32" bench "${traces[@]}" -a fa32 "${variant_args[@]}" -a glibc -a jemalloc -a mimalloc \
    -a tcmalloc --touch "$touch" --runs "$runs" --warmup 1 --min-time "$min_time" --timeout 300 --format json \
    --output "$report" || rc=$?
  if [ "$rc" -ne 0 ]; then
    why="exited $rc"
    [ "$rc" -ne 124 ] || why="timed out after ${limit}s"
    echo "run-real-traces: fa32 bench --touch $touch $why" >&2
    status=1
  fi
  [ -s "$report" ] && reports+=("$report")
done
[ ${#reports[@]} -gt 0 ] || exit 1

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ "$commit" != unknown ] && ! git -C "$root" diff --quiet HEAD -- core app 2>/dev/null; then
  commit="$commit+changes"
fi
"$python" "$here/tabulate-real-traces.py" --commit "$commit" "${reports[@]}"
exit "$status"
