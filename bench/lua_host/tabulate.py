#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tabulates bench/run-lua-host.sh results.

Input: a file of tab-separated lines "round script allocator cpu_seconds
checksum [peak_rss_growth_bytes]" (cpu_seconds FAILED for a run that
failed) and the allocators in column order. Prints
a Markdown table of the median CPU seconds per script and allocator, with
the ratio to the fastest allocator and to glibc, a table of the spread, the
scripts where fa32 is not the fastest (within 3 %) or is slower than glibc,
whether every allocator returned the same checksum, and, where the lines
have it, a table of the median peak resident memory each run added, with
fa32's ratio to the lowest of the other allocators'. Exit status 1 on a
checksum mismatch, a failed run or a missing figure."""
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from goal_limits import beyond, figure  # noqa: E402

CLOSE = 1.03  # within 3 % of the fastest counts as the fastest


def load(path):
    """{script: {allocator: [cpu seconds]}}, {script: {allocator: {checksums}}},
    {script: {allocator: [peak RSS growth bytes]}}, scripts in order, and the
    failed runs as [(round, script, allocator)]. A script whose every run
    failed is among the scripts, with no figures."""
    times, sums, rss, scripts, failed = {}, {}, {}, [], []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) not in (5, 6):
                continue
            run, script, alloc, cpu, checksum = fields[:5]
            if script not in times:
                scripts.append(script)
                times[script], sums[script], rss[script] = {}, {}, {}
            if cpu == "FAILED":
                failed.append((run, script, alloc))
                continue
            times[script].setdefault(alloc, []).append(float(cpu))
            sums[script].setdefault(alloc, set()).add(checksum)
            if len(fields) == 6 and fields[5].isdigit():
                rss[script].setdefault(alloc, []).append(int(fields[5]))
    return times, sums, rss, scripts, failed


def memory_table(rss, scripts, allocs):
    """The median peak RSS growth per script and allocator, in MiB, and
    fa32's ratio to the lowest of the others (no goal: the issue's footprint
    goal is on the recorded traces)."""
    if not any(rss[s] for s in scripts):
        return
    print()
    print("Peak resident memory each run added (VmHWM over the VmRSS the process started with), median MiB; "
          "lower is better.")
    print()
    print("| script | " + " | ".join(allocs) + " | fa32 / lowest other |")
    print("|---|" + "---:|" * (len(allocs) + 1))
    for s in scripts:
        med = {a: statistics.median(v) for a, v in rss[s].items() if a in allocs and v}
        cells = [f"{med[a] / 1048576:.1f}" if a in med else "-" for a in allocs]
        others = {a: v for a, v in med.items() if a != "fa32" and not a.startswith("fa32-")}
        if "fa32" in med and others and min(others.values()) > 0:
            low = min(others, key=others.get)
            ratio = f"{med['fa32'] / others[low]:.2f}x {low}"
        else:
            ratio = "-"
        print(f"| {s} | " + " | ".join(cells) + f" | {ratio} |")


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def cell(value, fastest, glibc):
    # Printed so a flag never contradicts its figure: 1.034x the fastest
    # does not show as 1.03, nor 1.004x glibc as 1.00.
    text = f"{value:.3f} ({figure(value / fastest, CLOSE)}"
    text += f" / {figure(value / glibc, 1)})" if glibc else ")"
    return text


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: tabulate.py RESULTS.tsv ALLOCATOR...")
    times, sums, rss, scripts, failed = load(sys.argv[1])
    allocs = sys.argv[2:]
    ok = True
    if not scripts:
        print("no results")
        return 1

    medians = {}
    for s in scripts:
        for a in allocs:
            if a in times[s]:
                medians[(s, a)] = statistics.median(times[s][a])
    # The geometric mean over the scripts every allocator has a figure for.
    complete = [s for s in scripts if all((s, a) in medians for a in allocs)]
    rows = [(s, {a: medians[(s, a)] for a in allocs if (s, a) in medians}) for s in scripts]
    if complete:
        rows.append(("geometric mean", {a: geomean([medians[(s, a)] for s in complete]) for a in allocs}))

    print("Each cell: median CPU seconds (ratio to the fastest / ratio to glibc); lower is better.")
    print()
    print("| script | " + " | ".join(allocs) + " | fa32 flags |")
    print("|---|" + "---:|" * len(allocs) + "---|")
    flagged = []
    failed_in = {}
    for run, s, a in failed:
        failed_in.setdefault(s, []).append((run, a))
    for name, row in rows:
        if not row:
            continue
        # fa32-NAME columns (fastalloc32 with a preset) are shown beside the
        # others, against the same fastest, but are not among its peers.
        peers = {a: v for a, v in row.items() if not a.startswith("fa32-")} or row
        fastest_alloc = min(peers, key=peers.get)
        fastest = peers[fastest_alloc]
        glibc = row.get("glibc")
        cells = [cell(row[a], fastest, glibc) if a in row else "-" for a in allocs]
        flags = []
        if "fa32" in row:
            if beyond(row["fa32"] / fastest, CLOSE):
                flags.append(f"not fastest: {figure(row['fa32'] / fastest, CLOSE)}x {fastest_alloc}")
            if glibc and row["fa32"] > glibc:
                flags.append(f"slower than glibc ({figure(row['fa32'] / glibc, 1)}x)")
            # An allocator with no successful run may have been the fastest.
            unrun = [a for a in allocs if a not in row and not a.startswith("fa32-")]
            if unrun:
                flags.append(f"not compared with {', '.join(unrun)} (no run finished)")
            # A median of the rounds that finished is not a verdict on the
            # ones that failed: the row is not "ok" (and the runs are listed).
            partial = [f"{a} round {r}" for r, a in failed_in.get(name, []) if a in row]
            if partial:
                flags.append(f"failed runs left out: {', '.join(partial)}")
            elif name == "geometric mean" and any(s in failed_in for s in complete):
                flags.append("over scripts with failed runs")
            if flags:
                flagged.append((name, flags))
        flag = "; ".join(flags) if flags else ("ok" if "fa32" in row else "-")
        print(f"| {name} | " + " | ".join(cells) + f" | {flag} |")

    print()
    print("Spread: min-max CPU seconds over the rounds (rounds per cell in brackets).")
    print()
    print("| script | " + " | ".join(allocs) + " |")
    print("|---|" + "---:|" * len(allocs))
    for s in scripts:
        cells = []
        for a in allocs:
            v = times[s].get(a)
            cells.append(f"{min(v):.3f}-{max(v):.3f} ({len(v)})" if v else "-")
        print(f"| {s} | " + " | ".join(cells) + " |")

    print()
    if flagged:
        print("fa32 flags (not within 3 % of the fastest, or slower than glibc):")
        for name, flags in flagged:
            print(f"- {name}: " + "; ".join(flags))
    elif "fa32" in allocs and all("fa32" in times[s] for s in scripts):
        # Without glibc's figures there is nothing to say of it.
        glibc_too = all("glibc" in times[s] for s in scripts)
        print("fa32 is the fastest or within 3 % of it on every script" +
              (", and not slower than glibc." if glibc_too else " (glibc not run: no comparison with it)."))

    mismatches = []
    for s in scripts:
        seen = set().union(*sums[s].values())
        if len(seen) > 1:
            detail = ", ".join(f"{a}: {'/'.join(sorted(sums[s][a]))}" for a in allocs if a in sums[s])
            mismatches.append(f"- {s}: {detail}")
        missing = [a for a in allocs if a not in times[s]]
        if missing:
            mismatches.append(f"- {s}: no successful run on {', '.join(missing)}")
    if failed:
        # The medians above are of the runs that finished: say which did not.
        ok = False
        print(f"FAILED RUNS ({len(failed)}), left out of the figures:")
        for run, s, a in failed:
            print(f"- {s} on {a}, round {run}")
    if mismatches:
        ok = False
        print("CHECKSUMS DIFFER or runs are missing:")
        print("\n".join(mismatches))
    elif not failed:
        print("Checksums: every allocator returned the same checksum on every script, in every round.")
    else:
        print("Checksums: every run that finished returned the same checksum as the others of its script.")
    memory_table(rss, scripts, allocs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
