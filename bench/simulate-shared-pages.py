#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Would pool pages shared between size classes lower a trace's footprint?

Replays a trace's small blocks (up to the largest class) through two
models of who owns a pool page, and prints each model's peak of pool bytes:

  owned   what fastalloc32 does: every class owns its pages, and a class
          that hands out its lowest free blocks first (the bitmap free
          list) touches exactly the pages of its own peak of live blocks.
          The model's figure is the sum of those per-class peaks. (`fa32
          tune` refines its classes on the same model, pool_footprint in
          app/include/fa32/app/tune/class_search.hpp, with a realloc
          taken as a free and then a malloc.)
  shared  the classes take spans from one heap: a span holds at least
          8 blocks and at least --span bytes, rounded up to pages; a class
          fills its lowest-numbered span with room first; a span whose
          blocks are all free goes back to the heap at once, and any class
          whose spans are that size may take it next. The figure is the
          peak of bytes in spans in use.

In both, a realloc that fits its block stays in place, and one that moves
takes its new block while the old one is still live, as fastalloc32 does.
Neither model counts metadata, colours, large blocks or the large cache;
the pools' part of `fa32 stats`'s footprint peak is the owned figure plus
the classes' colours and page rounding at the moment of the peak.

Input: traces in any fa32 format (converted to JSON Lines with
`fa32 convert`, found by --fa32) or JSON Lines files (.jsonl).
Output: a Markdown table, or tab-separated bytes with --tsv.
"""
import argparse
import bisect
import heapq
import json
import os
import subprocess
import sys

PAGE = 4096
DEFAULT_CLASSES = "16-256/16,288-512/32,576-1024/64,1152-2048/128,2304-4096/256,4608-8192/512,9216-16384/1024"


def parse_classes(text):
    """The CLI's --classes syntax: LO-HI/STEP ranges and single sizes."""
    sizes = []
    try:
        for part in text.split(","):
            if "-" in part:
                span, step = part.split("/")
                lo, hi = (int(x) for x in span.split("-"))
                sizes += list(range(lo, hi + 1, int(step)))
            else:
                sizes.append(int(part))
    except ValueError:
        raise ValueError("--classes takes sizes and LO-HI/STEP ranges separated by commas, not " + repr(text))
    if sizes != sorted(set(sizes)) or not sizes or sizes[0] <= 0:
        raise ValueError("classes must be positive and increasing: " + text)
    return sizes


def round_pages(n):
    return (n + PAGE - 1) // PAGE * PAGE


class Owned:
    def __init__(self, classes):
        self.classes = classes
        self.live = [0] * len(classes)
        self.peak = [0] * len(classes)
        self.total = 0

    def alloc(self, c):
        self.live[c] += 1
        if self.live[c] > self.peak[c]:
            b = self.classes[c]
            self.total += round_pages(b * self.live[c]) - round_pages(b * self.peak[c])
            self.peak[c] = self.live[c]

    def free(self, c):
        self.live[c] -= 1


class Shared:
    def __init__(self, classes, span_min):
        self.span_bytes = [max(round_pages(span_min), round_pages(8 * b)) for b in classes]
        self.per_span = [self.span_bytes[c] // classes[c] for c in range(len(classes))]
        self.room = [[] for _ in classes]  # per class: heap of its span numbers with room
        self.used = {}                     # span number -> blocks in use
        self.idle = {}                     # span bytes -> heap of free span numbers
        self.next_span = 0
        self.in_use = 0                    # bytes in spans in use
        self.peak = 0

    def alloc(self, c):
        room = self.room[c]
        if not room:
            size = self.span_bytes[c]
            idle = self.idle.get(size)
            s = heapq.heappop(idle) if idle else self.next_span
            if s == self.next_span:
                self.next_span += 1
            self.used[s] = 0
            heapq.heappush(room, s)
            self.in_use += size
            self.peak = max(self.peak, self.in_use)
        s = room[0]
        self.used[s] += 1
        if self.used[s] == self.per_span[c]:
            heapq.heappop(room)
        return s

    def free(self, c, s):
        was_full = self.used[s] == self.per_span[c]
        self.used[s] -= 1
        if self.used[s] == 0:
            if not was_full:
                self.room[c].remove(s)
                heapq.heapify(self.room[c])
            del self.used[s]
            self.in_use -= self.span_bytes[c]
            heapq.heappush(self.idle.setdefault(self.span_bytes[c], []), s)
        elif was_full:
            heapq.heappush(self.room[c], s)


def events(path, fa32):
    if path.endswith(".jsonl"):
        with open(path) as f:
            yield from f
        return
    with subprocess.Popen([fa32, "convert", "--to", "jsonl", path, "-"], stdout=subprocess.PIPE, text=True) as p:
        yield from p.stdout
    if p.returncode != 0:
        raise RuntimeError(f"{fa32} convert {path} failed with exit code {p.returncode}")


def simulate(lines, classes, spans):
    owned = Owned(classes)
    shared = [Shared(classes, s) for s in spans]
    live = {}  # id -> (class, [span per shared model])
    first = True

    def release(i):
        entry = live.pop(i, None)
        if entry is None:
            return
        c, where = entry
        owned.free(c)
        for m, s in zip(shared, where):
            m.free(c, s)

    def small_class(size):
        return bisect.bisect_left(classes, max(size, 1)) if size <= classes[-1] else None

    def place(i, c):
        owned.alloc(c)
        live[i] = (c, [m.alloc(c) for m in shared])

    for line in lines:
        if first:
            first = False
            if json.loads(line).get("format") != "fa32-trace":
                raise ValueError("not an fa32 trace in JSON Lines: its first line is no header")
            continue
        e = json.loads(line)
        op, i, size = e["op"], e.get("id"), e.get("size", 0)
        if op == "free":
            release(i)
        elif op == "realloc":
            old = live.get(i)
            c = small_class(size) if size != 0 else None
            if old is not None and size != 0 and size <= classes[old[0]]:
                continue  # fits its block: fastalloc32 resizes it in place
            # A moved block: the new one is taken while the old is live.
            if c is not None:
                entry = live.pop(i, None)
                place(i, c)
                if entry is not None:
                    live["old"] = entry
                    release("old")
            else:
                release(i)
        elif op in ("malloc", "calloc", "aligned_alloc"):
            c = small_class(size)
            if c is not None:
                place(i, c)
    return owned.total, [m.peak for m in shared]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("traces", nargs="+", help="traces (any fa32 format) or .jsonl files")
    ap.add_argument("--classes", default=DEFAULT_CLASSES, help="the grid, as fa32's --classes (default: the library's)")
    ap.add_argument("--span", type=int, action="append", help="least span bytes of the shared model (repeatable; default 4096 and 16384)")
    ap.add_argument("--fa32", default=os.path.join(os.path.dirname(__file__), "..", "build", "app", "fa32"),
                    help="the fa32 binary that converts traces (default: build/app/fa32)")
    ap.add_argument("--tsv", action="store_true", help="tab-separated bytes instead of a Markdown table in MiB")
    a = ap.parse_args()
    try:
        classes = parse_classes(a.classes)
    except ValueError as err:
        sys.exit(f"simulate-shared-pages: {err}")
    spans = a.span or [4096, 16384]
    if any(s <= 0 for s in spans):
        sys.exit("simulate-shared-pages: --span must be positive")
    if a.tsv:
        print("\t".join(["trace", "owned"] + [f"shared_{s}" for s in spans]))
    else:
        print("| trace | owned | " + " | ".join(f"shared, spans >= {s // 1024} KiB" for s in spans) + " |")
        print("|---|---:|" + "---:|" * len(spans))
    for path in a.traces:
        try:
            owned, peaks = simulate(events(path, a.fa32), classes, spans)
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            sys.exit(f"simulate-shared-pages: {path}: {err}")
        name = os.path.basename(path)
        if a.tsv:
            print("\t".join([name, str(owned)] + [str(p) for p in peaks]))
        else:
            mib = lambda b: f"{b / 2**20:.2f}"
            print(f"| {name} | {mib(owned)} | " + " | ".join(mib(p) for p in peaks) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
