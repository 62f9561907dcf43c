#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Markdown table of bench/run-tune-real-traces.sh: per trace, what
`fa32 tune` recommended and what `fa32 bench` measured afterwards, tuned
against the default (CPU ns/event medians and exact footprint peaks).

    bench/tabulate-tune.py DIR   (DIR holds NAME.tune.json and NAME.bench.json)
"""
import json
import pathlib
import sys


def row(d: pathlib.Path, name: str) -> str:
    tune = json.loads((d / f"{name}.tune.json").read_text())
    bench = json.loads((d / f"{name}.bench.json").read_text())
    rows = {a["name"]: a for a in bench["workloads"][0]["allocators"]}
    dflt, tuned = rows["default"], rows["tuned"]
    rec = tune["recommendation"]["name"]

    def ns(a):
        s = a["ns_per_event"]
        return s["median"], "*" if s["noisy"] else ""

    dn, dnoisy = ns(dflt)
    tn, tnoisy = ns(tuned)
    dfp, tfp = dflt["footprint_peak_bytes"], tuned["footprint_peak_bytes"]
    speed = tn / dn
    fp = tfp / dfp
    # The bar: 5 % better in one figure, at most 3 % worse in the other.
    met = (speed <= 0.95 and fp <= 1.03) or (fp <= 0.95 and speed <= 1.03)
    verdict = "default kept" if rec == "default" else ("yes" if met else "no")
    return (f"| {name} | {rec} | {dn:.2f}{dnoisy} | {tn:.2f}{tnoisy} | {speed:.3f} | "
            f"{dfp / 2**20:.2f} | {tfp / 2**20:.2f} | {fp:.3f} | {verdict} |")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = pathlib.Path(sys.argv[1])
    names = sorted(p.name[: -len(".tune.json")] for p in d.glob("*.tune.json"))
    print("| trace | recommended | ns/event default | ns/event tuned | speed ratio | "
          "footprint default MiB | footprint tuned MiB | footprint ratio | >= 5 % better, <= 3 % worse |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for n in names:
        print(row(d, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
