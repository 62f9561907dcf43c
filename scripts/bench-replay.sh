#!/usr/bin/env bash
# Replay throughput: a 10-million-event small-object-churn binary trace
# replayed through fastalloc32 and through the system malloc, several runs
# each, medians printed. Usage: scripts/bench-replay.sh [FA32] [RUNS] [TRACE]
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
fa32=${1:-build/app/fa32}
runs=${2:-7}
trace=${3:-${TMPDIR:-/tmp}/fa32-small-churn-10m.fa32}

if [[ ! -f $trace ]]; then
  "$fa32" gen small-churn --events 10000000 --seed 1 --output "$trace"
fi

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

figure() {  # figure <csv> <key>
  awk -F, -v k="$2" '$1 == k {print $2}' <<<"$1"
}

# events/s: wall clock inside the replay loop; loop cpu: the replaying
# thread's CPU time over the same spans; e2e cpu: events / (user + sys) of
# the whole process (decoding, start-up and the report included); wall s:
# the whole command.
printf '%-12s %-8s %12s %12s %10s %12s %8s\n' allocator mode "events/s" "loop cpu/s" "ns/event" "e2e cpu/s" "wall s"
for mode in preload stream; do
  for alloc in fastalloc32 system; do
    eps=() ceps=() nse=() wall=() e2e=()
    for ((i = 0; i < runs; i++)); do
      flags=(--allocator "$alloc" --format csv)
      [[ $mode == preload ]] && flags+=(--preload)
      start=$(date +%s.%N)
      csv=$(/usr/bin/time -f "process.cpu,%U %S" "$fa32" replay "$trace" "${flags[@]}" 2>&1)
      end=$(date +%s.%N)
      e2e+=("$(awk -F, '$1 == "process.cpu" {split($2, t, " "); print t[1] + t[2]}' <<<"$csv")")
      events=$(figure "$csv" events.total)
      eps+=("$(figure "$csv" timing.events_per_second)")
      cpu=$(figure "$csv" timing.cpu_seconds)
      ceps+=("$(awk -v e="$events" -v c="$cpu" 'BEGIN {printf "%.0f", e / c}')")
      nse+=("$(figure "$csv" timing.ns_per_event)")
      wall+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')")
      e2e[-1]=$(awk -v e="$events" -v c="${e2e[-1]}" 'BEGIN {printf "%.0f", (c > 0 ? e / c : 0)}')
    done
    printf '%-12s %-8s %12.0f %12.0f %10.2f %12.0f %8.3f\n' "$alloc" "$mode" \
      "$(printf '%s\n' "${eps[@]}" | median)" "$(printf '%s\n' "${ceps[@]}" | median)" \
      "$(printf '%s\n' "${nse[@]}" | median)" "$(printf '%s\n' "${e2e[@]}" | median)" \
      "$(printf '%s\n' "${wall[@]}" | median)"
  done
done
echo "trace: $trace ($("$fa32" replay "$trace" --format csv | awk -F, '$1 == "events.total" {print $2}') events)"
