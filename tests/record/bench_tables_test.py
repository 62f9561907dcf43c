#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Recomputes, from the raw per-run figures, every derived figure the
benchmark tables print, and checks the tables against them:

- bench/tabulate-real-traces.py on `fa32 bench` JSON reports made up with
  known answers (even run counts, ties, a ratio of exactly 1.03 in decimal,
  misses that round to the limit): medians, bold, the noisy star, the
  ratios, the footprint and the goal verdicts;
- bench/lua_host/tabulate.py on made-up results: medians of even counts,
  ratios, the spread, the geometric mean and the flags;
- with an fa32 binary, a real `fa32 bench` JSON report: median, min, max,
  spread, noisy, fastest and the ratios, against the runs it lists.

    bench_tables_test.py SOURCE_DIR WORK_DIR [FA32]
"""
import json
import math
import os
import re
import subprocess
import sys
import unittest

SRC = WORK = FA32 = None
WITHIN = 1.03


# The reference: written from the documented rules, not from the tools.
def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def summary(runs, noise):
    m = median(runs)
    spread = (max(runs) - min(runs)) / m if m > 0 else 0
    return {"median": m, "min": min(runs), "max": max(runs), "spread": spread, "noisy": spread > noise,
            "runs": runs, "wall_runs": runs}


def derive(rows, noise=0.1):
    """fa32 bench's derived figures: the first allocator with the lowest
    median is the fastest; ratios to it and to the system allocator."""
    for r in rows:
        r["ns_per_event"] = summary(r["ns_per_event"]["runs"], noise)
    fastest = min(rows, key=lambda r: r["ns_per_event"]["median"])
    glibc = next(r for r in rows if r["kind"] == "system")
    low, gl = fastest["ns_per_event"]["median"], glibc["ns_per_event"]["median"]
    for r in rows:  # with no time to compare (no events), no fastest and no ratios
        r["fastest"] = r is fastest and low > 0
        r["ratio_to_fastest"] = r["ns_per_event"]["median"] / low if low > 0 else None
        r["ratio_to_glibc"] = r["ns_per_event"]["median"] / gl if gl > 0 else None
    return rows


def row(name, runs, footprint=None):
    return {"name": name, "kind": "system" if name == "glibc" else "fastalloc32" if name == "fa32" else "preload",
            "description": "", "status": "ok", "message": "", "ns_per_event": {"runs": runs},
            "peak_rss_bytes": 1 << 21, "replay_rss_bytes": 1 << 20, "replay_rss_exact": True,
            "footprint_peak_bytes": footprint, "footprint_vs_live": None, "verified": []}


def report(workloads, runs):
    return {"schema_version": 1, "command": "bench", "runs": runs, "warmup": 1, "noise_threshold": 0.1,
            "clock": "cpu", "memory_limit": None, "touch": "all", "notes": [],
            "workloads": [{"name": f"/t/{n}.fa32", "source": "trace", "events": 1000, "repetitions": 1,
                           "live_peak_bytes": 1, "allocators": derive(rows)} for n, rows in workloads]}


def table_rows(text):
    """{first cell: [cells]} of a Markdown table's body, and its header."""
    lines = [l for l in text.splitlines() if l.startswith("| ")]
    split = lambda l: [c.strip() for c in l.strip().strip("|").split(" | ")]
    return split(lines[0]), {split(l)[0]: split(l) for l in lines[1:]}


def number(cell):
    return float(re.match(r"\**([0-9.]+)", cell).group(1))


def tabulate_traces(r, name, check=False):
    """Writes report r to WORK/name and runs bench/tabulate-real-traces.py on it."""
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        json.dump(r, f)
    return subprocess.run([sys.executable, os.path.join(SRC, "bench/tabulate-real-traces.py"), path],
                          capture_output=True, text=True, check=check)


class RealTraces(unittest.TestCase):
    CASES = [
        # name, rows, the verdict
        # Four runs each: medians of the middle two. fa32 11.5 against
        # tcmalloc's 11.15 is 1.0314x: a miss, which must not print as 1.03.
        ("even", [row("fa32", [10, 12, 11, 13], 100), row("glibc", [20, 21, 19, 20], 100),
                  row("tcmalloc", [11.2, 11.0, 11.4, 11.1])],
         "**missed**: 3.1 % behind tcmalloc"),
        # 1.1845 / 1.15 is 1.03 in decimal, a hair above it in binary: met.
        ("boundary", [row("fa32", [1.1845], 100), row("glibc", [2.0], 100), row("mimalloc", [1.15])], "met"),
        # A tie: the first listed is bold, and fa32 is met.
        ("tie", [row("fa32", [5.0, 6.0], 100), row("glibc", [7.0, 4.0], 200), row("mimalloc", [5.5, 5.5])],
         "met"),
        # fa32 0.4 % slower than glibc: 1.004x, not "1.00x".
        ("glibc", [row("fa32", [10.04], 100), row("glibc", [10.0], 100)], "**missed**: slower than glibc (1.004x)"),
        # A footprint 0.1 % above glibc's.
        ("fat", [row("fa32", [1.0], 1001), row("glibc", [2.0], 1000)], "**missed**: footprint 1.001x glibc's"),
        # No footprint figure (glibc's mallinfo2 is missing under a sanitizer;
        # fa32's with an allocator that keeps none): not known to be met.
        ("no-footprint", [row("fa32", [1.0], 100), row("glibc", [2.0])],
         "**missed**: no footprint figure of glibc"),
        # Noisy at a spread over 10 %, not at exactly 10 % (0.1 / 1.0).
        ("noisy", [row("fa32", [9.5, 10.0, 10.5], 100), row("glibc", [18.0, 20.0, 22.1], 100)], "met"),
    ]

    def setUp(self):
        self.report = report([(n, rows) for n, rows, _ in self.CASES], 4)
        path = os.path.join(WORK, "real.json")
        with open(path, "w") as f:
            json.dump(self.report, f)
        self.text = subprocess.run([sys.executable, os.path.join(SRC, "bench/tabulate-real-traces.py"), path],
                                   check=True, capture_output=True, text=True).stdout
        self.head, self.rows = table_rows(self.text)

    def test_known_verdicts(self):
        for name, _, verdict in self.CASES:
            with self.subTest(name):
                self.assertEqual(self.rows[name][-1], verdict, self.text)
        met = sum(v == "met" for _, _, v in self.CASES)
        self.assertIn(f"met on {met} of {len(self.CASES)} rows", self.text)

    def test_cells_recomputed_from_runs(self):
        for w in self.report["workloads"]:
            name = w["name"][3:-5]
            cells = dict(zip(self.head, self.rows[name]))
            rows = {a["name"]: a for a in w["allocators"]}
            meds = {n: median(a["ns_per_event"]["runs"]) for n, a in rows.items()}
            low = min(meds.values())
            first_low = next(n for n in meds if meds[n] == low)
            for n, m in meds.items():
                with self.subTest(f"{name} {n}"):
                    c = cells[n]
                    self.assertAlmostEqual(number(c), m, delta=0.0051)
                    self.assertEqual(c.startswith("**"), n == first_low, c)
                    runs = rows[n]["ns_per_event"]["runs"]
                    self.assertEqual(c.count("*") % 2 == 1,
                                     (max(runs) - min(runs)) / m > 0.1, c)
            ratio = meds["fa32"] / low
            shown = number(cells["fa32 / fastest"])
            self.assertAlmostEqual(shown, ratio, delta=0.0051)
            verdict = cells["goals"]
            behind = ratio > WITHIN * (1 + 1e-9)
            self.assertEqual("behind" in verdict, behind, verdict)
            # What is printed agrees with the verdict beside it.
            self.assertEqual(shown > WITHIN, behind, f"{name}: {cells['fa32 / fastest']} and {verdict}")
            m = re.search(r"([0-9.]+) % behind", verdict)
            if m:
                self.assertGreater(float(m.group(1)), 3.0, verdict)
            to_glibc = meds["fa32"] / meds["glibc"]
            self.assertEqual("slower than glibc" in verdict, to_glibc > 1, verdict)
            self.assertEqual(number(cells["fa32 / glibc"]) > 1, to_glibc > 1, cells["fa32 / glibc"])
            m = re.search(r"footprint ([0-9.]+)x", verdict)
            fp_fa, fp_gl = rows["fa32"]["footprint_peak_bytes"], rows["glibc"]["footprint_peak_bytes"]
            if fp_fa is None or fp_gl is None:
                self.assertIn("no footprint figure", verdict)
                continue
            fp = fp_fa / fp_gl
            self.assertEqual(m is not None, fp > 1, verdict)
            if m:
                self.assertGreater(float(m.group(1)), 1.0, verdict)

    def test_footnote_from_the_report(self):
        self.assertIn("of 4 interleaved runs per allocator after a warm-up round;", self.text)
        self.assertIn("* noisy (max-min over 10 % of the median)", self.text)
        r = report([("n", [row("fa32", [1.0, 1.2]), row("glibc", [2.0, 2.0])])], 2)
        r["warmup"], r["noise_threshold"] = 0, 0.05
        out = tabulate_traces(r, "settings.json", check=True).stdout
        self.assertIn("of 2 interleaved runs per allocator with no warm-up round;", out)
        self.assertIn("* noisy (max-min over 5 % of the median)", out)

    def test_no_events(self):
        # A trace of no events: every median 0, no fastest; no goal is met.
        r = report([("empty", [row("fa32", [0.0], 100), row("glibc", [0.0], 100)])], 1)
        out = tabulate_traces(r, "empty.json")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("| **missed**: no time measured |", out.stdout)

    def test_other_configs_are_not_peers(self):
        # fa32:no-huge-pages, another fastalloc32 config, is the fastest of
        # all and has the lowest replay RSS; the goals, the bold and the RSS
        # compare fa32 with glibc and mimalloc alone, and the second table
        # gives the config's own figures.
        variant = row("fa32:no-huge-pages", [8.0, 8.0], 90 * 1024)
        variant["kind"], variant["replay_rss_bytes"] = "fastalloc32", 1 << 19
        r = report([("variant", [row("fa32", [10.0, 10.0], 100 * 1024), row("glibc", [20.0, 20.0], 100 * 1024),
                                 row("mimalloc", [10.2, 10.2]), variant])], 2)
        self.assertTrue(r["workloads"][0]["allocators"][3]["fastest"])  # in the report, the variant is
        out = tabulate_traces(r, "variant.json", check=True).stdout
        head, rows = table_rows(out.split("Other fastalloc32 configs")[0])
        cells = dict(zip(head, rows["variant"]))
        self.assertEqual(cells["fa32"], "**10.00**", out)
        self.assertEqual(cells["fa32:no-huge-pages"], "8.00", out)
        self.assertEqual(cells["fa32 / fastest"], "1.00x", out)
        self.assertEqual(cells["goals"], "met", out)
        self.assertNotIn("fa32:no-huge-pages (", cells["replay RSS fa32 / lowest other"], out)
        self.assertIn("met on 1 of 1 rows", out)
        _, others = table_rows(out.split("Other fastalloc32 configs")[1])
        self.assertEqual(others["variant"],
                         ["variant", "all", "fa32:no-huge-pages", "8.00", "0.800x", "0.800x fa32", "90.0 KiB",
                          "0.900x"], out)
        # Without such a config, no second table.
        self.assertNotIn("Other fastalloc32 configs", self.text)

    def test_failed_peer_is_not_met(self):
        # tcmalloc failed: fa32 within 3 % of the others is not known to be
        # within 3 % of the fastest, and the row is not counted as met.
        r = report([("peerfailed", [row("fa32", [1.0], 100), row("glibc", [2.0], 100), row("tcmalloc", [0.5])])], 1)
        t = r["workloads"][0]["allocators"][2]
        t["status"], t["message"] = "failed", "run 1: worker killed"
        t["ns_per_event"] = {k: None for k in ("median", "min", "max", "spread")} | {"noisy": False, "runs": [],
                                                                                   "wall_runs": []}
        derive_ok = [a for a in r["workloads"][0]["allocators"] if a["status"] == "ok"]
        derive(derive_ok)
        out = tabulate_traces(r, "peerfailed.json", check=True).stdout
        self.assertIn("| **missed**: not compared with tcmalloc (failed) |", out)
        self.assertIn("met on 0 of 1 rows", out)
        # No glibc at all: "not slower than glibc" is unknown.
        r = report([("noglibc", [row("fa32", [1.0], 100), row("glibc", [2.0], 100)])], 1)
        del r["workloads"][0]["allocators"][1]
        out = tabulate_traces(r, "noglibc.json", check=True).stdout
        self.assertIn("| **missed**: no glibc figure |", out)

    def test_glibc_footprint_zero(self):
        # glibc's mallinfo2 is 0 when its heap had room: a miss, not a crash.
        r = report([("zero", [row("fa32", [1.0], 4096), row("glibc", [2.0], 0)])], 1)
        out = tabulate_traces(r, "zero.json")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("**missed**: footprint 4.0 KiB, glibc's 0", out.stdout)

    def test_inexact_replay_rss_is_marked(self):
        # The replay RSS cell compares fa32 with the lowest of the others;
        # a figure that counts the trace's loading too says so.
        r = report([("rss", [row("fa32", [1.0], 100), row("glibc", [2.0], 100), row("mimalloc", [1.5])])], 1)
        allocs = r["workloads"][0]["allocators"]
        allocs[2]["replay_rss_bytes"] = 1 << 19
        out = tabulate_traces(r, "rss-exact.json", check=True).stdout
        self.assertIn("| 1.0 MiB / 512.0 KiB mimalloc (2.00x) |", out)
        self.assertIn("the largest over the runs", out)
        allocs[2]["replay_rss_exact"] = False
        out = tabulate_traces(r, "rss-inexact.json", check=True).stdout
        self.assertIn("| 1.0 MiB / 512.0 KiB mimalloc (2.00x) (not exact: mimalloc) |", out)


class LuaHost(unittest.TestCase):
    # {script: {allocator: [cpu seconds per round]}}
    RUNS = {
        # Four rounds: medians 0.55 (fa32), 0.6, 0.5325 (mimalloc); fa32 is
        # 1.0329x mimalloc: flagged, and not printed as 1.03.
        "even": {"fa32": [0.5, 0.6, 0.55, 0.55], "glibc": [0.6, 0.6, 0.7, 0.5],
                 "mimalloc": [0.53, 0.535, 0.52, 0.6]},
        # 1.1845 / 1.15: 1.03 in decimal, not flagged.
        "boundary": {"fa32": [1.1845, 1.1845], "glibc": [2.0, 2.0], "mimalloc": [1.15, 1.15]},
        # A tie with glibc: not slower.
        "tie": {"fa32": [0.3, 0.4], "glibc": [0.35, 0.35], "mimalloc": [0.5, 0.5]},
        # 1.004x glibc: flagged, printed as such.
        "glibc": {"fa32": [1.004, 1.004], "glibc": [1.0, 1.0], "mimalloc": [1.1, 1.1]},
    }
    ALLOCS = ["fa32", "glibc", "mimalloc"]

    def setUp(self):
        path = os.path.join(WORK, "lua.tsv")
        with open(path, "w") as f:
            for s, allocs in self.RUNS.items():
                for a, runs in allocs.items():
                    for i, v in enumerate(runs):
                        f.write(f"{i + 1}\t{s}\t{a}\t{v}\tsum\t{1 << 20}\n")
        out = subprocess.run([sys.executable, os.path.join(SRC, "bench/lua_host/tabulate.py"), path] + self.ALLOCS,
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.text = out.stdout
        first = self.text.split("\nSpread:")[0]
        self.head, self.rows = table_rows(first)
        _, self.spread = table_rows(self.text.split("\nSpread:")[1].split("\nPeak resident")[0])

    def check_row(self, name, meds):
        cells = dict(zip(self.head, self.rows[name]))
        low = min(meds.values())
        for a in self.ALLOCS:
            m = re.match(r"([0-9.]+) \(([0-9.]+) / ([0-9.]+)\)", cells[a])
            self.assertIsNotNone(m, cells[a])
            self.assertAlmostEqual(float(m.group(1)), meds[a], delta=0.0005)
            self.assertAlmostEqual(float(m.group(2)), meds[a] / low, delta=0.0051)
            self.assertAlmostEqual(float(m.group(3)), meds[a] / meds["glibc"], delta=0.0051)
            if a == "fa32":
                ratio = meds[a] / low
                flagged = ratio > WITHIN * (1 + 1e-9)
                self.assertEqual("not fastest" in cells["fa32 flags"], flagged, cells["fa32 flags"])
                self.assertEqual(float(m.group(2)) > WITHIN, flagged, f"{name}: {cells[a]} {cells['fa32 flags']}")
                slower = meds[a] > meds["glibc"]
                self.assertEqual("slower than glibc" in cells["fa32 flags"], slower, cells["fa32 flags"])
                self.assertEqual(float(m.group(3)) > 1, slower, cells[a])
                for shown in re.findall(r"([0-9.]+)x", cells["fa32 flags"]):
                    self.assertGreater(float(shown), 1.0 if "glibc" in cells["fa32 flags"] else WITHIN)

    def test_rows_recomputed(self):
        for s, allocs in self.RUNS.items():
            with self.subTest(s):
                self.check_row(s, {a: median(v) for a, v in allocs.items()})
                for a in self.ALLOCS:
                    v = allocs[a]
                    self.assertEqual(dict(zip(self.head, self.spread[s]))[a],
                                     f"{min(v):.3f}-{max(v):.3f} ({len(v)})")
        geo = {a: math.exp(sum(math.log(median(self.RUNS[s][a])) for s in self.RUNS) / len(self.RUNS))
               for a in self.ALLOCS}
        self.check_row("geometric mean", geo)

    def test_known_flags(self):
        flags = {n: dict(zip(self.head, r))["fa32 flags"] for n, r in self.rows.items()}
        self.assertEqual(flags["even"], "not fastest: 1.033x mimalloc")
        self.assertEqual(flags["boundary"], "ok")
        self.assertEqual(flags["tie"], "ok")
        self.assertEqual(flags["glibc"], "slower than glibc (1.004x)")


class LuaHostWithoutGlibc(unittest.TestCase):
    def test_no_claim_about_glibc(self):
        path = os.path.join(WORK, "noglibc.tsv")
        with open(path, "w") as f:
            f.write("1\ta\tfa32\t0.5\tsum\n1\ta\tjemalloc\t0.6\tsum\n")
        out = subprocess.run([sys.executable, os.path.join(SRC, "bench/lua_host/tabulate.py"), path, "fa32",
                              "jemalloc"], capture_output=True, text=True, check=True).stdout
        self.assertNotIn("not slower than glibc", out)
        self.assertIn("fa32 is the fastest or within 3 % of it on every script (glibc not run", out)


class LuaHostFailedPeer(unittest.TestCase):
    def test_not_fine_without_the_peer(self):
        # mimalloc's only run of script a failed: fa32 is not known to be
        # within 3 % of the fastest there.
        path = os.path.join(WORK, "failedpeer.tsv")
        with open(path, "w") as f:
            f.write("1\ta\tfa32\t0.5\tsum\n1\ta\tglibc\t0.6\tsum\n1\ta\tmimalloc\tFAILED\t-\t-\n")
        out = subprocess.run([sys.executable, os.path.join(SRC, "bench/lua_host/tabulate.py"), path, "fa32",
                              "glibc", "mimalloc"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("| not compared with mimalloc (no run finished) |", out.stdout)
        self.assertNotIn("within 3 % of it on every script", out.stdout)


@unittest.skipUnless(len(sys.argv) > 3, "no fa32 binary given")
class FastAllocBench(unittest.TestCase):
    def test_json_figures_from_runs(self):
        trace = os.path.join(WORK, "small.fa32")
        out = os.path.join(WORK, "bench.json")
        subprocess.run([FA32, "gen", "small-churn", "-n", "2000", "-o", trace], check=True, capture_output=True)
        subprocess.run([FA32, "bench", trace, "-a", "fa32", "-a", "glibc", "-a", "compact=fa32:preset=compact",
                        "-n", "4", "--min-time", "0", "--format", "json", "-o", out], check=True,
                       capture_output=True)
        with open(out) as f:
            r = json.load(f)
        for w in r["workloads"]:
            rows = w["allocators"]
            meds = []
            for a in rows:
                self.assertEqual(a["status"], "ok", a["message"])
                runs = a["ns_per_event"]["runs"]
                self.assertEqual(len(runs), 4)
                want = summary(runs, r["noise_threshold"])
                for k in ("median", "min", "max", "noisy"):
                    self.assertEqual(a["ns_per_event"][k], want[k], k)
                self.assertAlmostEqual(a["ns_per_event"]["spread"], want["spread"], places=12)
                meds.append(want["median"])
            first_low = meds.index(min(meds))
            gl = meds[[a["kind"] for a in rows].index("system")]
            for i, a in enumerate(rows):
                self.assertEqual(a["fastest"], i == first_low)
                self.assertAlmostEqual(a["ratio_to_fastest"], meds[i] / min(meds), places=12)
                self.assertAlmostEqual(a["ratio_to_glibc"], meds[i] / gl, places=12)


if __name__ == "__main__":
    SRC, WORK = sys.argv[1], sys.argv[2]
    FA32 = sys.argv[3] if len(sys.argv) > 3 else None
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=[sys.argv[0], "-v"])
