#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the allocator micro-benchmarks with the process's malloc (glibc) and
# with jemalloc, mimalloc and tcmalloc preloaded, then prints ns per event
# and the ratio to glibc for every workload.
#
#   bench/run-allocators.sh [BENCH_BINARY] [extra Google Benchmark flags]
#
# BENCH_BINARY defaults to build/bench/fa32_bench_allocators (configure with
# -DFA32_BUILD_BENCH=ON). Results (JSON) go to $FA32_BENCH_OUT or a temporary
# directory. Preloaded runs replay only the system-malloc benchmarks.
# FA32_BENCH_RUNS=N repeats the whole set N times (the table shows the median
# over runs and the spread); FA32_BENCH_REPETITIONS and FA32_BENCH_MIN_TIME
# are passed to Google Benchmark.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../build/bench/fa32_bench_allocators}"
shift || true
[ -x "$bin" ] || { echo "run-allocators.sh: no benchmark binary at $bin (build with -DFA32_BUILD_BENCH=ON)" >&2; exit 2; }
out="${FA32_BENCH_OUT:-$(mktemp -d)}"
mkdir -p "$out"
# shellcheck source=bench/preload-libs.sh
source "$here/preload-libs.sh"
common=(--benchmark_repetitions="${FA32_BENCH_REPETITIONS:-5}" --benchmark_min_time="${FA32_BENCH_MIN_TIME:-0.2}"
        --benchmark_report_aggregates_only=true --benchmark_format=console)

runs="${FA32_BENCH_RUNS:-1}"
dirs=()
for run in $(seq 1 "$runs"); do
  dir="$out/run$run"
  mkdir -p "$dir"
  dirs+=("$dir")
  echo "== run $run of $runs" >&2
  echo "== glibc malloc and fastalloc32" >&2
  "$bin" "${common[@]}" --benchmark_out="$dir/glibc.json" --benchmark_out_format=json "$@" >&2
  for name in "${preload_names[@]}"; do
    lib="$(preload_lib "$name")"
    if [ ! -e "$lib" ]; then
      echo "note: $lib not installed; skipping $name" >&2
      continue
    fi
    echo "== $name (LD_PRELOAD=$lib)" >&2
    LD_PRELOAD="$lib" "$bin" "${common[@]}" --benchmark_filter='/system$' \
      --benchmark_out="$dir/$name.json" --benchmark_out_format=json "$@" >&2
  done
done
echo "results in $out" >&2
python3 "$here/tabulate-allocators.py" "${dirs[@]}"
