#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the JSON reports of `fa32 bench` (one per touch mode) into the
Markdown table of bench/run-real-traces.sh, with the goal check of each row.

    tabulate-real-traces.py [--commit REV] REPORT.json...

Goals, for the allocator named fa32 (fastalloc32's default config): the
fastest of all or within 3 % of the fastest; never slower than glibc; a
footprint peak at most glibc's.

Beside the goals, the replay's resident memory: how far each allocator's
replays raised the worker's peak RSS, fa32's against the lowest of all.
The footprint goal compares with glibc alone, whose mallinfo2 is the only
footprint a preloaded allocator gives; the RSS compares with every one.

Other fastalloc32 configs in the reports (columns such as
fa32:no-huge-pages) are shown in the table but are not among the
allocators the goals compare with; a second table gives each one's time
against the default's and the fastest other allocator's, and its
footprint against glibc's.
"""
import argparse
import json
import os
import sys

from goal_limits import beyond, figure

ORDER = ["fa32", "glibc", "jemalloc", "mimalloc", "tcmalloc"]
WITHIN = 1.03  # fa32 may be this much slower than the fastest


def human(b):
    if b is None:
        return "-"
    if b >= 1 << 20:
        return f"{b / (1 << 20):.1f} MiB"
    return f"{b / 1024:.1f} KiB"


def trace_name(path):
    name = os.path.basename(path)
    return name[:-5] if name.endswith(".fa32") else name


def lowest_rss(rows):
    """fa32's replay RSS and the lowest of the others' (bytes, name), or None."""
    fa = rows.get("fa32")
    if fa is None or fa["status"] != "ok" or not fa.get("replay_rss_bytes"):
        return None
    others = [r for r in rows.values()
              if r["name"] != "fa32" and r["status"] == "ok" and r.get("replay_rss_bytes")]
    if not others:
        return None
    low = min(others, key=lambda r: r["replay_rss_bytes"])
    return fa["replay_rss_bytes"], low["replay_rss_bytes"], low["name"]


def rss_cell(rows):
    got = lowest_rss(rows)
    if got is None:
        return "-"
    fa, low, name = got
    # A figure the kernel could not reset after loading counts the loading
    # too; the JSON says so (replay_rss_exact) and so does the cell.
    inexact = [n for n in ("fa32", name) if rows[n].get("replay_rss_exact") is False]
    return (f"{human(fa)} / {human(low)} {name} ({fa / low:.2f}x)" +
            (f" (not exact: {', '.join(inexact)})" if inexact else ""))


def is_variant(a):
    """A fastalloc32 config other than the default: shown, never a peer."""
    return a["name"] != "fa32" and a.get("kind") == "fastalloc32"


def fastest_of(rows):
    """The first of rows (in the report's order) with the lowest median, or
    None when there is no time to compare (no events)."""
    ok = [r for r in rows.values() if r["status"] == "ok"]
    if not ok:
        return None
    fastest = min(ok, key=lambda r: r["ns_per_event"]["median"])
    return fastest if fastest["ns_per_event"]["median"] > 0 else None


def columns(reports):
    names = []
    for r in reports:
        for w in r["workloads"]:
            for a in w["allocators"]:
                if a["name"] not in names:
                    names.append(a["name"])
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def check(rows):
    """The goals fa32 misses on one workload, as short phrases (empty: all met)."""
    fa, gl = rows.get("fa32"), rows.get("glibc")
    if fa is None or fa["status"] != "ok":
        return ["fa32 did not run" if fa is None else "fa32 " + fa["status"]]
    # An allocator that failed has no figure to compare with: a goal
    # against it is not known to be met (it could have been the fastest).
    missed = [f"not compared with {r['name']} ({r['status']})" for r in rows.values() if r["status"] != "ok"]
    if gl is None:
        missed.append("no glibc figure")
    fastest = fastest_of(rows)
    if fastest is None:  # a trace of no events: no time to compare
        return ["no time measured"]
    ratio = fa["ns_per_event"]["median"] / fastest["ns_per_event"]["median"]
    if beyond(ratio, WITHIN):
        missed.append(f"{figure((ratio - 1) * 100, (WITHIN - 1) * 100, 1)} % behind {fastest['name']}")
    if gl is not None and gl["status"] == "ok" and fa["ns_per_event"]["median"] > gl["ns_per_event"]["median"]:
        slower = fa["ns_per_event"]["median"] / gl["ns_per_event"]["median"]
        missed.append(f"slower than glibc ({figure(slower, 1)}x)")
    fp_fa, fp_gl = fa.get("footprint_peak_bytes"), (gl or {}).get("footprint_peak_bytes")
    if gl is not None and gl["status"] == "ok" and (fp_fa is None or fp_gl is None):
        # A goal with no figure on one side is not known to be met.
        missed.append("no footprint figure of " + " or ".join(n for n, v in (("fa32", fp_fa), ("glibc", fp_gl))
                                                              if v is None))
    if fp_fa is not None and fp_gl is not None and fp_fa > fp_gl:
        # glibc's mallinfo2 can be 0 (the heap had room): no ratio then.
        missed.append(f"footprint {figure(fp_fa / fp_gl, 1)}x glibc's" if fp_gl else
                      f"footprint {human(fp_fa)}, glibc's 0")
    return missed


def print_variants(variants):
    """Each other fastalloc32 config against the default and the others."""
    print()
    print("Other fastalloc32 configs (not counted among the allocators above): median ns per event, "
          "against the default's (fa32) and the fastest of the allocators above, and the footprint "
          "peak against glibc's.")
    print()
    print("| trace | touch | config | ns per event | / fa32 | / fastest | footprint | footprint / glibc |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for trace, touch, a, rows in variants:
        cells = [trace, touch, a["name"]]
        if a["status"] != "ok":
            print("| " + " | ".join(cells + [a["status"], "-", "-", "-", "-"]) + " |")
            continue
        t = a["ns_per_event"]["median"]
        fa, gl, fastest = rows.get("fa32"), rows.get("glibc"), fastest_of(rows)
        per = lambda r: (f"{t / r['ns_per_event']['median']:.3f}x"
                         if r is not None and r["status"] == "ok" and r["ns_per_event"]["median"] > 0 else "-")
        fp, fp_gl = a.get("footprint_peak_bytes"), (gl or {}).get("footprint_peak_bytes")
        cells += [f"{t:.2f}" + ("*" if a["ns_per_event"]["noisy"] else ""), per(fa),
                  per(fastest) + (f" {fastest['name']}" if fastest is not None else ""), human(fp),
                  f"{fp / fp_gl:.3f}x" if fp is not None and fp_gl else "-"]
        print("| " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commit", default="unknown", help="the commit measured, printed under the table")
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args()
    reports = []
    for p in args.reports:
        with open(p) as f:
            reports.append(json.load(f))
    names = columns(reports)
    runs = sorted({r["runs"] for r in reports})
    clocks = sorted({r["clock"] for r in reports})

    # Rows grouped by trace, each trace's touch modes in the order given.
    by_trace = {}
    for r in reports:
        for w in r["workloads"]:
            by_trace.setdefault(w["name"], []).append((r.get("touch", "first"), w))

    head = ["trace", "events", "touch"] + names + ["fa32 / fastest", "fa32 / glibc",
                                                   "footprint fa32 / glibc", "replay RSS fa32 / lowest other",
                                                   "goals"]
    print("| " + " | ".join(head) + " |")
    print("|---|---:|---|" + "---:|" * (len(names) + 4) + "---|")
    total = met = 0
    misses = []
    variants = []  # (trace, touch, the variant's row, that workload's other rows)
    noisy = False
    config = None
    for trace, modes in by_trace.items():
        for touch, w in modes:
            every = {a["name"]: a for a in w["allocators"]}
            rows = {n: a for n, a in every.items() if not is_variant(a)}
            fastest = fastest_of(rows)
            variants.extend((trace_name(trace), touch, a, rows) for a in every.values() if is_variant(a))
            cells = [trace_name(trace), f"{w['events']:,}".replace(",", " "), touch]
            for n in names:
                a = every.get(n)
                if a is None:
                    cells.append("-")
                elif a["status"] != "ok":
                    cells.append(a["status"])
                else:
                    c = f"{a['ns_per_event']['median']:.2f}"
                    if a is fastest:
                        c = f"**{c}**"
                    if a["ns_per_event"]["noisy"]:
                        c += "*"
                        noisy = True
                    cells.append(c)
            fa, gl = rows.get("fa32", {}), rows.get("glibc", {})
            if fa.get("description") and config is None:
                config = fa["description"]
            # Printed so a verdict never contradicts its figure: a miss
            # by 1.034x does not show as 1.03x.
            ratio = lambda v, limit: "-" if v is None else f"{figure(v, limit)}x"
            to_fastest = (fa["ns_per_event"]["median"] / fastest["ns_per_event"]["median"]
                          if fastest is not None and fa.get("status") == "ok" else None)
            cells.append(ratio(to_fastest, WITHIN))
            cells.append(ratio(fa.get("ratio_to_glibc"), 1))
            fp_fa, fp_gl = fa.get("footprint_peak_bytes"), gl.get("footprint_peak_bytes")
            cells.append(f"{human(fp_fa)} / {human(fp_gl)}")
            cells.append(rss_cell(rows))
            missed = check(rows)
            total += 1
            if missed:
                misses.append(f"{trace_name(trace)} (touch {touch}): " + "; ".join(missed))
                cells.append("**missed**: " + "; ".join(missed))
            else:
                met += 1
                cells.append("met")
            print("| " + " | ".join(cells) + " |")

    print()
    # The report's own settings, not the script's defaults: a table of
    # reports made with --warmup 0 or --noise 0.05 said otherwise.
    warmups = sorted({r.get("warmup", 1) for r in reports})
    warmup = ("after a warm-up round" if warmups == [1] else
              "with no warm-up round" if warmups == [0] else
              f"after {'/'.join(map(str, warmups))} warm-up rounds")
    thresholds = sorted({r.get("noise_threshold", 0.1) for r in reports})
    threshold = "/".join(f"{t * 100:g}" for t in thresholds)
    print(f"Median ns per event ({'CPU time of the replaying thread' if clocks == ['cpu'] else '/'.join(clocks)}; "
          f"lower is better) of {'/'.join(map(str, runs))} interleaved runs per allocator {warmup}; "
          "**bold** is the fastest" + (f"; * noisy (max-min over {threshold} % of the median)" if noisy else "") +
          ".")
    print("Footprint peak: fastalloc32's own gauge (exact) and glibc's mallinfo2 (exact: sampled after every "
          "call that can grow its heap); the preloaded allocators give none. Replay RSS: how far the replays raised the "
          "worker's peak resident set over the one they started from (the replayer's own tables the same "
          "for all; the largest over the runs), fa32's against the lowest of the others'.")
    print(f"Goals (fa32 within {round((WITHIN - 1) * 100)} % of the fastest, not slower than glibc, footprint "
          f"at most glibc's) met on {met} of {total} rows. Commit measured: {args.commit}.")
    if config:
        print(f"fa32: {config}")
    if misses:
        print()
        print("Missed:")
        for m in misses:
            print(f"- {m}")
    if variants:
        print_variants(variants)
    notes = sorted({n for r in reports for n in r.get("notes", [])})
    if notes:
        print()
        print("Notes:")
        for n in notes:
            print(f"- {n}")


if __name__ == "__main__":
    sys.exit(main())
