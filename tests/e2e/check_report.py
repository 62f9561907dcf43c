#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks a `fa32 stats --format json` report against its trace.

The figures that depend only on the events (counts, live bytes and ids,
peaks, leaks, invalid events, temporaries, histograms, timeline live
bytes, --touch bytes) are recomputed here from the trace, from
docs/trace-format.md and docs/report.md alone, without sharing any code
with fa32: a bug in the replayer's bookkeeping or in its trace reader shows
as a disagreement. The allocator's own figures cannot be recomputed, so
the invariants the docs promise between them are checked instead (the
sources of pool blocks add up to the pool allocations, the classes to the
totals, each ratio to its parts, the footprint peak to its parts, ...).

Usage:
  check_report.py --fa32 FA32 TRACE [fa32 stats options...]
  check_report.py --report REPORT.json TRACE

With --fa32 the report is made by `FA32 stats --format json --allow-leaks
--leaks 1000000000 [options] TRACE`. Exit 0: every figure agrees; 1: a
disagreement (each printed); 2: usage or an unreadable trace/report.
Standard library only, so CTest can run it wherever Python 3 is.
"""

import argparse
import gzip
import io
import json
import math
import subprocess
import sys
import zlib

U64 = (1 << 64) - 1
OPS = ("malloc", "calloc", "realloc", "free", "aligned_alloc")
TIMELINE_TARGET = 1000  # report.md: "whenever 1000 points are held"


class TraceError(Exception):
    pass


# ---------------------------------------------------------------- reading


def _read_bytes(path):
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _event(obj):
    # trace-format.md: op and id required, the rest default.
    if "op" not in obj or "id" not in obj:
        raise TraceError("event without op or id: %r" % (obj,))
    if obj["op"] not in OPS:
        raise TraceError("unknown op %r" % (obj["op"],))
    return (obj["op"], obj["id"], obj.get("size", 0), obj.get("count", 1), obj.get("alignment", 0))


def _read_json(text):
    doc = json.loads(text)
    return [_event(e) for e in doc.get("events", [])]


def _read_jsonl(text):
    events = []
    for n, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        obj = json.loads(line)
        # The header line may be left out: a first line with an op is an event.
        if n == 0 and "op" not in obj:
            continue
        events.append(_event(obj))
    return events


def _varint(data, pos):
    value = 0
    shift = 0
    for _ in range(10):
        if pos >= len(data):
            raise TraceError("binary trace: truncated varint at byte %d" % pos)
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value & U64, pos
        shift += 7
    raise TraceError("binary trace: over-long varint at byte %d" % pos)


def _unzigzag(v):
    return (v >> 1) ^ -(v & 1)


def _read_binary(data):
    pos = 8
    version, pos = _varint(data, pos)
    if version != 1:
        raise TraceError("binary trace version %d" % version)
    header_len, pos = _varint(data, pos)
    pos += header_len
    events = []
    prev_id = 0
    names = {0: "malloc", 1: "calloc", 2: "realloc", 3: "free", 4: "aligned_alloc"}
    while True:
        if pos >= len(data):
            raise TraceError("binary trace: no trailer")
        tag = data[pos]
        pos += 1
        if tag == 0x07:
            count, pos = _varint(data, pos)
            crc = int.from_bytes(data[pos:pos + 4], "little")
            if count != len(events) or crc != zlib.crc32(data[:pos]) or pos + 4 != len(data):
                raise TraceError("binary trace: bad trailer")
            return events
        op = tag & 7
        if op not in names:
            raise TraceError("binary trace: bad tag %#x at byte %d" % (tag, pos - 1))
        delta, pos = _varint(data, pos)
        prev_id = (prev_id + _unzigzag(delta)) & U64
        size, count, align = 0, 1, 0
        if tag & 0x08:
            _, pos = _varint(data, pos)  # thread: not a figure of the report
        if tag & 0x10:
            _, pos = _varint(data, pos)  # time
        if tag & 0x20:
            size, pos = _varint(data, pos)
        if tag & 0x40:
            count, pos = _varint(data, pos)
        if tag & 0x80:
            align, pos = _varint(data, pos)
        events.append((names[op], prev_id, size, count, align))


def read_trace(path):
    data = _read_bytes(path)
    if data[:8] == b"\x89FA32\r\n\x1a":
        return _read_binary(data)
    text = data.decode("utf-8-sig")
    stripped = text.lstrip()
    # One JSON object holding "events" is the JSON form; anything else is
    # JSON Lines (whose first line is a complete object on its own).
    first = stripped.split("\n", 1)[0]
    try:
        head = json.loads(first)
        if isinstance(head, dict) and "events" not in head:
            return _read_jsonl(text)
    except ValueError:
        pass
    return _read_json(text)


# ---------------------------------------------------------------- model


def size_bin(size):
    # report.md: 2^(b-1) < s <= 2^b; le 1 holds 0 and 1.
    return 0 if size <= 1 else (size - 1).bit_length()


def touch_first(nbytes):
    """Bytes --touch first writes over a range of nbytes, and whether capped."""
    if nbytes == 0:
        return 0, False
    reach = 256 * 4096
    if nbytes <= reach:
        return (nbytes + 4095) // 4096, False
    return 257, True


def is_pow2(n):
    return n > 0 and n & (n - 1) == 0


class Model:
    """The replay as the docs define it, from the events alone."""

    def __init__(self, events, lenient, limit, touch, verify):
        self.n_events = len(events)
        self.counts = dict.fromkeys(OPS, 0)
        self.invalid = {"unknown_id": 0, "double_free": 0, "id_in_use": 0, "bad_alignment": 0}
        self.live = {}  # id -> [size, birth event]
        self.state = {}  # id -> "live" | "freed" | "failed"
        self.live_bytes = 0
        self.peak_bytes = 0
        self.peak_event = 0
        self.peak_allocs = 0
        self.failed_allocs = 0
        self.skipped = 0
        self.refused = 0
        self.realloc = {"to_zero": 0, "failed": 0, "done": 0}
        self.temporary = 0
        self.alloc_events = 0
        self.size_hist = {}
        self.life_hist = {}
        self.touched = 0
        self.capped = 0
        self.error_event = None
        # live bytes after each event count: index k holds the value after k events
        self.live_after = [0]
        limit = U64 if limit is None else limit
        last_alloc = None  # (event index, id) of the last allocation made
        for i, (op, ident, size, count, align) in enumerate(events):
            self.counts[op] += 1
            ok = True
            if op in ("malloc", "calloc", "aligned_alloc"):
                ok = self._alloc(i, op, ident, size, count, align, limit, touch, verify)
                if ok == "made":
                    last_alloc = (i, ident)
                    ok = True
            elif op == "free":
                ok = self._free(i, ident, last_alloc)
            else:
                ok = self._realloc(i, ident, size, limit, touch, verify)
            if not ok and not lenient:
                # The event a replay stops at is in neither the total nor its op.
                self.counts[op] -= 1
                self.n_events = i
                self.error_event = i
                break
            if self.live_bytes > self.peak_bytes:
                self.peak_bytes = self.live_bytes
                self.peak_event = i
            self.peak_allocs = max(self.peak_allocs, len(self.live))
            self.live_after.append(self.live_bytes)

    def _bad(self, kind):
        self.invalid[kind] += 1
        return False

    def _alloc(self, i, op, ident, size, count, align, limit, touch, verify):
        if self.state.get(ident) == "live":
            return self._bad("id_in_use")
        if op == "calloc":
            size = size * count
            if size > U64:
                size = U64  # the replayer saturates count x size (README of tests/data)
        room = limit - self.live_bytes
        if op == "aligned_alloc":
            if not is_pow2(align):
                return self._bad("bad_alignment")
            refused = size > room or align > room - size
        else:
            refused = size > room
        if refused:
            self.refused += 1
            self.failed_allocs += 1
            self.state[ident] = "failed"
            return True
        self.alloc_events += 1
        self.state[ident] = "live"
        self.live[ident] = [size, i]
        self.live_bytes += size
        self.size_hist[size_bin(size)] = self.size_hist.get(size_bin(size), 0) + 1
        self._touch(0, size, touch, verify)
        return "made"

    def _touch(self, old, new, touch, verify):
        if verify:
            self.touched += new  # the pattern fills the whole block
        elif touch == "first":
            n, c = touch_first(max(new - old, 0))
            self.touched += n
            self.capped += c
        elif touch == "all":
            self.touched += max(new - old, 0)

    def _not_live(self, ident, is_free):
        st = self.state.get(ident)
        if st == "failed":
            self.skipped += 1
            if is_free:
                self.state[ident] = "freed"
            return True
        if st == "freed":
            return self._bad("double_free")
        return self._bad("unknown_id")

    def _free(self, i, ident, last_alloc):
        if self.state.get(ident) != "live":
            return self._not_live(ident, True)
        size, birth = self.live.pop(ident)
        self.state[ident] = "freed"
        self.live_bytes -= size
        b = size_bin(i - birth)
        self.life_hist[b] = self.life_hist.get(b, 0) + 1
        if last_alloc == (i - 1, ident):
            self.temporary += 1
        return True

    def _realloc(self, i, ident, size, limit, touch, verify):
        if self.state.get(ident) != "live":
            return self._not_live(ident, False)
        block = self.live[ident]
        old = block[0]
        if size > old and size - old > limit - self.live_bytes:
            self.refused += 1
            self.realloc["failed"] += 1
            return True
        if size == 0:
            # trace-format.md: the id stays live, with 0 bytes.
            self.realloc["to_zero"] += 1
            self.live_bytes -= old
            block[0] = 0
            return True
        self.realloc["done"] += 1
        self.live_bytes += size - old
        block[0] = size
        self.size_hist[size_bin(size)] = self.size_hist.get(size_bin(size), 0) + 1
        if verify:
            self.touched += size
        else:
            self._touch(old, size, touch, False)
        return True


# ---------------------------------------------------------------- checking


class Checker:
    def __init__(self, label):
        self.label = label
        self.failures = []

    def eq(self, name, got, want):
        if got != want:
            self.failures.append("%s: report %r, expected %r" % (name, got, want))

    def close(self, name, got, want):
        """A ratio: null exactly when undefined, else equal to 1e-9 relative."""
        if want is None or got is None:
            self.eq(name, got, want)
        elif not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            self.failures.append("%s: report %r, expected %r" % (name, got, want))

    def true(self, name, cond, detail=""):
        if not cond:
            self.failures.append("%s does not hold%s" % (name, (": " + detail) if detail else ""))


def ratio(num, den):
    return None if den == 0 else num / den


def hist_list(h):
    return [{"le": 1 << b, "count": h[b]} for b in sorted(h)]


def check_events(c, r, m):
    ev = r["events"]
    c.eq("events.total", ev["total"], m.n_events)
    for op in OPS:
        c.eq("events." + op, ev[op], m.counts[op])
    c.eq("events: ops add up to total", sum(ev[op] for op in OPS), ev["total"])
    inv = r["invalid"]
    for k, v in m.invalid.items():
        c.eq("invalid." + k, inv[k], v)
    c.eq("invalid.total", inv["total"], sum(m.invalid.values()))
    if m.error_event is not None:
        c.eq("error.kind", (r["error"] or {}).get("kind"), "invalid_event")
        c.eq("error.event", (r["error"] or {}).get("event"), m.error_event)
    else:
        # The trace replays to its end: any error (an invalid event it does
        # not have, a --verify finding, ...) is a disagreement.
        c.eq("error", r["error"], None)


def check_memory(c, r, m, system):
    mem = r["memory"]
    c.eq("memory.peak_live_bytes", mem["peak_live_bytes"], m.peak_bytes)
    c.eq("memory.peak_live_bytes_event", mem["peak_live_bytes_event"], m.peak_event)
    c.eq("memory.peak_live_allocs", mem["peak_live_allocs"], m.peak_allocs)
    c.eq("memory.live_bytes_end", mem["live_bytes_end"], m.live_bytes)
    c.eq("memory.live_allocs_end", mem["live_allocs_end"], len(m.live))

    f = r["failed"]
    # Allocations that returned NULL cannot be predicted; those the limit
    # refused can. With no NULL returns (every trace checked here) they agree.
    c.eq("failed.refused_by_limit", f["refused_by_limit"], m.refused)
    c.eq("failed.allocs", f["allocs"], m.failed_allocs)
    c.eq("failed.skipped", f["skipped"], m.skipped)

    rl = r["realloc"]
    c.eq("realloc.to_zero", rl["to_zero"], m.realloc["to_zero"])
    c.eq("realloc.failed", rl["failed"], m.realloc["failed"])
    c.eq("realloc.in_place + moved", rl["in_place"] + rl["moved"], m.realloc["done"])

    t = r["temporary"]
    c.eq("temporary.allocs", t["allocs"], m.temporary)
    n_alloc_events = m.counts["malloc"] + m.counts["calloc"] + m.counts["aligned_alloc"]
    c.close("temporary.rate", t["rate"], ratio(m.temporary, n_alloc_events))

    lk = r["leaks"]
    c.eq("leaks.count", lk["count"], len(m.live))
    c.eq("leaks.bytes", lk["bytes"], m.live_bytes)
    want = sorted(({"id": k, "size": v[0], "event": v[1]} for k, v in m.live.items()), key=lambda x: x["event"])
    # --leaks N lists the first N; the checker asks for all of them.
    c.eq("leaks.first", lk["first"], want[: len(lk["first"])])
    if len(lk["first"]) < len(want) and len(lk["first"]) < (r.get("_leaks_asked") or 10):
        c.failures.append("leaks.first: %d listed of %d" % (len(lk["first"]), len(want)))

    c.eq("size_histogram", r["size_histogram"], hist_list(m.size_hist))
    c.eq("lifetime_histogram", r["lifetime_histogram"], hist_list(m.life_hist))
    c.eq("temporary.allocs = lifetime 1", t["allocs"], m.life_hist.get(0, 0))

    tc = r["touch"]
    c.eq("touch.bytes_written", tc["bytes_written"], m.touched)
    c.eq("touch.capped_blocks", tc["capped_blocks"], m.capped)

    # Invariants that hold whatever the allocator.
    if not system:
        # glibc's reserved bytes can read below the requested ones (report.md:
        # mallinfo2 counts tcache chunks as in use, before the replay too).
        c.true("reserved_at_peak_live >= peak_live_bytes", mem["reserved_at_peak_live"] >= mem["peak_live_bytes"],
               "%d < %d" % (mem["reserved_at_peak_live"], mem["peak_live_bytes"]))
        c.true("reserved_end >= live_bytes_end", mem["reserved_end"] >= mem["live_bytes_end"],
               "%d < %d" % (mem["reserved_end"], mem["live_bytes_end"]))
    c.true("footprint_peak >= footprint_at_peak_live", mem["footprint_peak"] >= mem["footprint_at_peak_live"])
    c.true("footprint_peak >= footprint_end", mem["footprint_peak"] >= mem["footprint_end"])
    if not system:
        # glibc's footprint is net of what the heap held before the replay,
        # so only fastalloc32's is bound by the live bytes.
        c.true("footprint_peak >= peak_live_bytes", mem["footprint_peak"] >= mem["peak_live_bytes"])
        c.true("footprint_peak >= reserved_at_peak_live", mem["footprint_peak"] >= mem["reserved_at_peak_live"])
        c.true("footprint_at_peak_live >= reserved_at_peak_live",
               mem["footprint_at_peak_live"] >= mem["reserved_at_peak_live"])
        c.true("footprint_end >= reserved_end", mem["footprint_end"] >= mem["reserved_end"])

    fr = r["fragmentation"]
    pk, res = mem["peak_live_bytes"], mem["reserved_at_peak_live"]
    # (reserved - requested) / reserved, 0 when reserved reads below requested.
    c.close("fragmentation.internal_at_peak", fr["internal_at_peak"], ratio(max(res - pk, 0), res))
    end_live = None if mem["live_allocs_end"] == 0 else ratio(max(mem["reserved_end"] - mem["live_bytes_end"], 0),
                                                              mem["reserved_end"])
    c.close("fragmentation.internal_at_end", fr["internal_at_end"], end_live)
    ov = ratio(mem["footprint_peak"], pk)
    c.close("fragmentation.overhead_peak_vs_peak", fr["overhead_peak_vs_peak"], None if ov is None else ov - 1)
    ov = ratio(mem["footprint_at_peak_live"], pk)
    c.close("fragmentation.overhead_at_peak_live", fr["overhead_at_peak_live"], None if ov is None else ov - 1)

    tm = r["timing"]
    c.close("timing.events_per_second", tm["events_per_second"], ratio(r["events"]["total"], tm["replay_seconds"]))
    c.close("timing.ns_per_event", tm["ns_per_event"], ratio(tm["replay_seconds"] * 1e9, r["events"]["total"]))


def expected_regular_points(total):
    """The timeline's evenly spaced points (report.md): every stride events from
    1, taken before events 1..total-1 run; at 1000 points every other goes and
    the stride doubles."""
    stride, n, last = 1, 0, 0
    nxt = 1
    while nxt <= total - 1:
        n += 1
        last = nxt
        if n >= TIMELINE_TARGET:
            n //= 2
            stride *= 2
        nxt = (last // stride + 1) * stride
    return [stride * k for k in range(1, n + 1)]


def check_timeline(c, r, m, system):
    tl = r["timeline"]
    if not tl or not tl.get("events"):
        if r["snapshot_interval"] == 0 and m.n_events > 0:
            c.failures.append("timeline: empty")
        return
    evs = tl["events"]
    mem = r["memory"]
    want = set(expected_regular_points(m.n_events))
    want.add(m.n_events)
    if mem["peak_live_bytes"] != 0:
        want.add(mem["peak_live_bytes_event"] + 1)
    c.eq("timeline.events", evs, sorted(want))
    for k in tl:
        c.eq("timeline.%s: points" % k, len(tl[k]), len(evs))
    bad = [(e, lb, m.live_after[e]) for e, lb in zip(evs, tl["live_bytes"]) if e < len(m.live_after) and lb != m.live_after[e]]
    if bad:
        c.failures.append("timeline.live_bytes: %d points differ, first (events, report, expected) %r" % (len(bad), bad[0]))
    for e, lb, rs in zip(evs, tl["live_bytes"], tl["reserved"]):
        if rs < lb and not system:
            c.failures.append("timeline: reserved %d < live bytes %d at %d events" % (rs, lb, e))
            break
    for e, fp in zip(evs, tl["footprint"]):
        if fp > mem["footprint_peak"]:
            c.failures.append("timeline: footprint %d > footprint_peak %d at %d events" % (fp, mem["footprint_peak"], e))
            break
    ix = {e: n for n, e in enumerate(evs)}
    if mem["peak_live_bytes"] != 0 and mem["peak_live_bytes_event"] + 1 in ix:
        n = ix[mem["peak_live_bytes_event"] + 1]
        c.eq("timeline at the peak: live_bytes", tl["live_bytes"][n], mem["peak_live_bytes"])
        c.eq("timeline at the peak: reserved", tl["reserved"][n], mem["reserved_at_peak_live"])
        c.eq("timeline at the peak: footprint", tl["footprint"][n], mem["footprint_at_peak_live"])
    c.eq("timeline at the end: reserved", tl["reserved"][-1], mem["reserved_end"])
    c.eq("timeline at the end: footprint", tl["footprint"][-1], mem["footprint_end"])
    if not system:
        for k in ("large_allocs", "fallback_allocs"):
            s = tl[k]
            c.true("timeline.%s never decreases" % k, all(a <= b for a, b in zip(s, s[1:])))
        c.eq("timeline.large_allocs at the end", tl["large_allocs"][-1], r["large"]["allocs"])
        c.eq("timeline.fallback_allocs at the end", tl["fallback_allocs"][-1], r["fallback"]["allocs"])


def check_snapshots(c, r, m):
    interval = r["snapshot_interval"]
    snaps = r["snapshots"]
    if interval == 0:
        c.eq("snapshots without --snapshot-every", snaps, [])
        return
    want = list(range(interval, m.n_events + 1, interval))
    if not want or want[-1] != m.n_events:
        want.append(m.n_events)
    c.eq("snapshots.events", [s["events"] for s in snaps], want)
    for s in snaps:
        e = s["events"]
        if e < len(m.live_after) and s["live_bytes"] != m.live_after[e]:
            c.failures.append("snapshot at %d events: live_bytes %d, expected %d" % (e, s["live_bytes"], m.live_after[e]))
            break


def check_fastalloc32(c, r, m):
    pool, large, fb, mem, rl = r["pool"], r["large"], r["fallback"], r["memory"], r["realloc"]
    allocs = pool["allocs"] + large["allocs"] + fb["allocs"]
    c.eq("pool.allocs = cache + freelist + fresh", pool["allocs"],
         pool["cache_hits"] + pool["freelist_hits"] + pool["fresh_blocks"])
    c.close("pool.hit_rate", pool["hit_rate"], ratio(pool["allocs"], allocs))
    c.close("fallback.rate", fb["rate"], ratio(fb["allocs"], allocs))
    c.close("pool.cache_reuse", pool["cache_reuse"], ratio(pool["cache_hits"], pool["allocs"]))
    c.close("large.cache_reuse", large["cache_reuse"], ratio(large["cache_hits"], large["allocs"]))
    c.true("large.cache_hits + arena_allocs <= large.allocs",
           large["cache_hits"] + large["arena_allocs"] <= large["allocs"])
    c.true("large.frees <= large.allocs", large["frees"] <= large["allocs"])
    # The allocator's allocations: every allocation event made, every
    # realloc that took a new block (moved, or from an id holding NULL),
    # and nothing else. A realloc in place allocates nothing.
    moved_new = rl["pool_to_pool"] + rl["pool_to_large"] + rl["large_to_pool"] + rl["large_moved"]
    c.true("allocator allocations >= allocations made", allocs >= m.alloc_events,
           "%d < %d" % (allocs, m.alloc_events))
    c.true("allocator allocations <= allocations made + reallocs", allocs <= m.alloc_events + m.realloc["done"],
           "%d > %d + %d" % (allocs, m.alloc_events, m.realloc["done"]))
    c.true("realloc transitions <= realloc.moved + in_place", moved_new <= rl["moved"] + rl["in_place"])
    for k in ("invalid_frees", "double_frees", "interior_frees"):
        c.eq("allocator." + k, r["allocator"][k], 0)

    parts = ("pools", "metadata", "large_arena", "large_blocks", "large_cache", "fallback")
    c.eq("footprint_peak = sum of its parts", mem["footprint_peak"],
         sum(mem["footprint_peak_" + p] for p in parts))
    c.true("footprint_peak_metadata <= pool.metadata_peak", mem["footprint_peak_metadata"] <= pool["metadata_peak"])
    c.eq("memory.footprint_peak_exact", mem["footprint_peak_exact"], True)
    c.true("fallback.bytes_peak <= fallback.bytes_total", fb["bytes_peak"] <= fb["bytes_total"])
    c.true("fallback bytes only with fallbacks", (fb["allocs"] == 0) == (fb["bytes_total"] == 0) or rl["fallback"] > 0)

    cls = r["classes"]
    peaks_kept = "peaks kept" in r["allocator"]["config"]  # else ", no peaks"
    for key, total in (("allocs", pool["allocs"]), ("cache_hits", pool["cache_hits"]),
                       ("freelist_hits", pool["freelist_hits"]), ("fresh_blocks", pool["fresh_blocks"]),
                       ("fallback_allocs", fb["allocs"])):
        c.eq("sum of classes[].%s = total" % key, sum(k[key] for k in cls), total)
    sizes = [k["block_size"] for k in cls]
    c.true("classes ascending", sizes == sorted(set(sizes)))
    live_blocks = 0
    for k in cls:
        name = "classes[%d]" % k["block_size"]
        c.eq(name + ".allocs = cache + freelist + fresh", k["allocs"],
             k["cache_hits"] + k["freelist_hits"] + k["fresh_blocks"])
        c.close(name + ".hit_rate", k["hit_rate"], ratio(k["allocs"], k["allocs"] + k["fallback_allocs"]))
        c.close(name + ".cache_reuse", k["cache_reuse"], ratio(k["cache_hits"], k["allocs"]))
        c.close(name + ".occupancy_peak", k["occupancy_peak"], ratio(k["blocks_in_use_peak"], k["capacity_blocks"]))
        c.eq(name + ".blocks_in_use_end = allocs - frees", k["blocks_in_use_end"], k["allocs"] - k["frees"])
        c.true(name + ".blocks_in_use_peak >= end", k["blocks_in_use_peak"] >= k["blocks_in_use_end"])
        c.true(name + ".blocks_in_use_peak <= capacity", k["blocks_in_use_peak"] <= k["capacity_blocks"])
        if peaks_kept:
            c.true(name + ".bytes_requested_peak <= peak blocks x block size",
                   k["bytes_requested_peak"] <= k["blocks_in_use_peak"] * k["block_size"])
        else:  # not measured: null, not a 0 read as "nothing asked"
            c.true(name + ".bytes_requested_peak is null without peaks", k["bytes_requested_peak"] is None)
        c.true(name + ".touched_bytes <= capacity", k["touched_bytes"] <= k["capacity_blocks"] * k["block_size"])
        live_blocks += k["blocks_in_use_end"]
    c.true("pool blocks live at the end <= live ids", live_blocks <= len(m.live))
    c.true("pool.metadata_peak <= footprint_peak", pool["metadata_peak"] <= mem["footprint_peak"])


def check(report, events, label, leaks_asked, exit_code=None):
    c = Checker(label)
    opts = report["options"]
    system = report["allocator"]["name"] == "system"
    m = Model(events, opts["lenient"], opts["memory_limit"], opts["touch"], opts["verify"])
    report["_leaks_asked"] = leaks_asked
    if exit_code is not None:
        # report.md, exit codes: 2 at an invalid event; no gate is asked for (--allow-leaks), so else 0.
        c.eq("fa32 stats exit status", exit_code, 2 if m.error_event is not None else 0)
    check_events(c, report, m)
    check_memory(c, report, m, system)
    check_timeline(c, report, m, system)
    check_snapshots(c, report, m)
    if system:
        for k in ("pool", "large", "fallback"):
            c.true("no %s section for the system allocator" % k, k not in report)
        # report.md: the classes are an empty array, the allocator's own bad
        # frees and the footprint peak's parts absent.
        c.eq("classes", report["classes"], [])
        for k in ("invalid_frees", "double_frees", "interior_frees"):
            c.true("no allocator.%s for the system allocator" % k, k not in report["allocator"])
        parts = [k for k in report["memory"] if k.startswith("footprint_peak_") and k != "footprint_peak_exact"]
        c.eq("footprint peak parts", parts, [])
    else:
        check_fastalloc32(c, report, m)
    return c


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fa32", help="the fa32 binary: run `fa32 stats` on the trace")
    ap.add_argument("--report", help="a report already written by `fa32 stats --format json`")
    ap.add_argument("trace")
    args, extra = ap.parse_known_args(argv)
    if bool(args.fa32) == bool(args.report):
        ap.error("give exactly one of --fa32 and --report")
    try:
        events = read_trace(args.trace)
    except (OSError, ValueError, TraceError) as e:
        print("check_report: %s: %s" % (args.trace, e), file=sys.stderr)
        return 2
    leaks_asked = 10
    exit_code = None
    if args.fa32:
        cmd = [args.fa32, "stats", "--format", "json", "--allow-leaks", "--leaks", "1000000000"] + extra + [args.trace]
        leaks_asked = 1000000000
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        exit_code = run.returncode
        text = run.stdout.decode()
        label = " ".join(["fa32", "stats"] + extra + [args.trace])
    else:
        with io.open(args.report, encoding="utf-8") as f:
            text = f.read()
        label = args.report
    try:
        report = json.loads(text)
    except ValueError:
        print("check_report: %s: no JSON report (%s)" % (label, run.stderr.decode().strip() if args.fa32 else ""),
              file=sys.stderr)
        return 2
    reports = report if isinstance(report, list) else [report]
    if not reports:
        print("FAIL %s\n  no report in the output" % label)
        return 1
    status = 0
    for rep in reports:
        c = check(rep, events, label, leaks_asked, exit_code)
        if c.failures:
            status = 1
            print("FAIL %s" % label)
            for f in c.failures:
                print("  " + f)
        else:
            print("ok   %s (%d events)" % (label, rep["events"]["total"]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
