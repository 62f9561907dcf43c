#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tabulates run-allocators.sh results: median ns per event per workload and
allocator, and each allocator's time relative to glibc (< 1 is faster).
With several result directories (repeated runs) each cell is the median over
the runs, and the spread (min..max over runs) of fa32's ratio is listed."""
import json
import os
import statistics
import sys

ALLOCATORS = ["glibc", "jemalloc", "mimalloc", "tcmalloc", "fa32", "fa32_peaks", "fa32_default"]


def medians(path):
    """{(workload, variant): ns per event} from one Google Benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median" or "error_occurred" in b and b["error_occurred"]:
            continue
        workload, variant = b["run_name"].split("/")[:2]
        out[(workload, variant)] = 1e9 / b["items_per_second"]
    return out


def load_run(d):
    """{(workload, allocator): ns per event} for one run directory, and the
    workloads in the order they ran."""
    table, workloads = {}, []
    for name in ("glibc", "jemalloc", "mimalloc", "tcmalloc"):
        path = os.path.join(d, name + ".json")
        if not os.path.exists(path):
            continue
        for (workload, variant), ns in medians(path).items():
            if workload not in workloads:
                workloads.append(workload)
            if name != "glibc" and variant != "system":
                continue  # fastalloc32 figures come from the plain run only
            table[(workload, name if variant == "system" else variant)] = ns
    return table, workloads


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: tabulate-allocators.py RESULT_DIR [RESULT_DIR...]")
    runs = [load_run(d) for d in sys.argv[1:]]
    workloads = runs[0][1]
    keys = set().union(*(t.keys() for t, _ in runs))
    table = {k: statistics.median(t[k] for t, _ in runs if k in t) for k in keys}
    columns = [a for a in ALLOCATORS if any((w, a) in table for w in workloads)]
    print(f"Median ns per event over {len(runs)} run(s) (lower is better); in brackets: time relative to glibc.\n")
    print("| workload | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for w in workloads:
        base = table.get((w, "glibc"))
        cells = []
        for c in columns:
            ns = table.get((w, c))
            if ns is None:
                cells.append("–")
            elif base is None or c == "glibc":
                cells.append(f"{ns:.1f}")
            else:
                cells.append(f"{ns:.1f} ({ns / base:.2f}x)")
        print(f"| {w} | " + " | ".join(cells) + " |")
    if len(runs) > 1:
        print("\nSpread over runs of fa32's time relative to glibc (min..max):")
        for w in workloads:
            ratios = [t[(w, "fa32")] / t[(w, "glibc")] for t, _ in runs if (w, "fa32") in t and (w, "glibc") in t]
            if ratios:
                print(f"- {w}: {min(ratios):.2f}x..{max(ratios):.2f}x")
    print_goals(table, workloads, "fa32", "the tuned config, track_peaks = 0")
    print_goals(table, workloads, "fa32_peaks", "the tuned config with track_peaks = 1")


def print_goals(table, workloads, variant, what):
    """The issue's goals: small churn >= 2x faster than glibc and faster than
    every other allocator; large blocks no slower than glibc."""
    print(f"\nGoals ({variant} = {what}):")
    for w in workloads:
        fa32, glibc = table.get((w, variant)), table.get((w, "glibc"))
        if fa32 is None or glibc is None:
            continue
        if w.startswith("small_churn"):
            ok = fa32 * 2 <= glibc
            print(f"- {w}: {glibc / fa32:.2f}x faster than glibc (goal >= 2x): {'met' if ok else 'NOT met'}")
            for other in ("jemalloc", "mimalloc", "tcmalloc"):
                o = table.get((w, other))
                if o is not None:
                    verdict = "met" if fa32 < o else "NOT met"
                    print(f"- {w}: {o / fa32:.2f}x the speed of {other} (goal > 1x): {verdict}")
        elif w in ("large_blocks", "mixed_sizes", "realloc_growth"):
            ok = fa32 <= glibc
            print(f"- {w}: {fa32 / glibc:.2f}x glibc's time (goal <= 1x): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
