#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Same-moment comparison of fastalloc32 with glibc, jemalloc, mimalloc and
# tcmalloc: one fresh process per allocator and round, the allocators
# alternated (fa32, glibc, jemalloc, ..., fa32, glibc, ...), every process
# pinned to the same CPU. Prints the minimum and the median ns per replay of
# each workload over the rounds.
#
# Why not run-allocators.sh: that one runs all of fastalloc32 and glibc in
# one process and each other allocator in its own, one after the other, so on
# a shared machine whose speed changes between processes its columns can come
# from different machine states (see docs/performance.md).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run-alternated.sh [-r ROUNDS] [-c CPU] [-f REGEX] [-a LIST] [BENCH_BINARY]

  -r ROUNDS  rounds of every allocator (default 6)
  -c CPU     CPU to pin every run to with taskset (default 0)
  -f REGEX   workloads, a Google Benchmark regex (default 'small_churn_(lifo|random)')
  -a LIST    comma-separated rows: fa32, fa32_peaks, fa32_default, glibc,
             jemalloc, mimalloc, tcmalloc (default fa32,glibc,jemalloc,mimalloc,tcmalloc)
  BENCH_BINARY  default build/bench/fa32_bench_allocators (-DFA32_BUILD_BENCH=ON)

Output: one line per workload and allocator, with the minimum and the median
(the lower of the two middle figures for an even number of rounds) CPU ns
per replay of the whole event stream, and every round's figure, sorted.
EOF
}

rounds=6 cpu=0 filter='small_churn_(lifo|random)' rows='fa32,glibc,jemalloc,mimalloc,tcmalloc'
while getopts 'r:c:f:a:h' opt; do
  case "$opt" in
    r) rounds="$OPTARG" ;;
    c) cpu="$OPTARG" ;;
    f) filter="$OPTARG" ;;
    a) rows="$OPTARG" ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../build/bench/fa32_bench_allocators}"
[ -x "$bin" ] || { echo "run-alternated.sh: no benchmark binary at $bin (build with -DFA32_BUILD_BENCH=ON)" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "run-alternated.sh: -r needs a positive number" >&2; exit 2; }
command -v taskset >/dev/null || { echo "run-alternated.sh: taskset (util-linux) is needed" >&2; exit 2; }
# shellcheck source=bench/preload-libs.sh
source "$here/preload-libs.sh"

# Row name -> "preload library|benchmark row"; an empty library is none.
row_spec() {
  case "$1" in
    fa32 | fa32_peaks | fa32_default) echo "|$1" ;;
    glibc) echo "|system" ;;
    *)
      local lib
      lib="$(preload_lib "$1")" || return 1
      echo "$lib|system"
      ;;
  esac
}

IFS=',' read -r -a names <<<"$rows"
selected=()
for name in "${names[@]}"; do
  spec="$(row_spec "$name")" || { echo "run-alternated.sh: unknown row '$name'" >&2; exit 2; }
  lib="${spec%%|*}"
  if [ -n "$lib" ] && [ ! -e "$lib" ]; then
    echo "note: $lib not installed; skipping $name" >&2
    continue
  fi
  selected+=("$name")
done
[ "${#selected[@]}" -gt 0 ] || { echo "run-alternated.sh: no row to run" >&2; exit 2; }

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  for name in "${selected[@]}"; do
    spec="$(row_spec "$name")"
    lib="${spec%%|*}" row="${spec#*|}"
    # CPU time of one replay (the benchmark's per-iteration cpu_time, column 4).
    env ${lib:+LD_PRELOAD="$lib"} taskset -c "$cpu" "$bin" --benchmark_filter="($filter)/$row\$" \
      --benchmark_min_time=0.2 --benchmark_format=csv 2>/dev/null |
      awk -F, -v n="$name" 'NR > 1 && $1 ~ /\// { gsub(/"/, "", $1); split($1, w, "/"); print w[1], n, $4 }' >>"$results"
  done
done
[ -s "$results" ] || { echo "run-alternated.sh: no benchmark matched '$filter'" >&2; exit 1; }

echo "CPU ns per replay, min / median over $rounds rounds (CPU $cpu):"
sort -k1,1 -k2,2 -k3,3g "$results" |
  awk '{ k = $1 " " $2; v[k] = v[k] " " sprintf("%.0f", $3) }
       END { for (k in v) { n = split(substr(v[k], 2), x, " ");
             split(k, kk, " ");
             printf "%-22s %-13s min %9d  median %9d  (all:%s)\n", kk[1], kk[2], x[1], x[int((n + 1) / 2)], v[k] } }' |
  sort
