#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the hand-made fuzz_allocator inputs that reach the large arena's
give-backs to the kernel, which random inputs rarely reach: the pages must
stay free for the arena's age rule (256 ticks, fastalloc32.h) before a new
footprint peak, or be the arena's unused end (given back at once until the
arena learns otherwise), with the default mmap (the target's hooks turn the
trim off).

  tests/fuzz/make_arena_inputs.py DIR   (DIR: tests/fuzz/corpus/allocator)

Each input is named by the SHA-1 of its bytes, as libFuzzer names them, and
its name and purpose are printed. The format is fuzz_allocator.cpp's: a
config, then operations. Every input ends by taking arena pages again with
calloc (given-back pages must read zero) and running fastalloc32_check.
"""
import hashlib
import os
import struct
import sys

# fuzz_allocator.cpp's make_config, byte by byte: one 128 B class (and the
# default's classes are not used), 4 KiB pools that never grow, a cache of
# 512, no large cache, a 1 MiB mmap threshold, the default arena, and libc
# with the real mmap (no hooks).
CONFIG = bytes([0, 7, 0, 5, 6, 3, 0])
OP_MALLOC, OP_CALLOC, OP_FREE, OP_CHECK = 0, 1, 3, 10
SIZE_U32_64K, SIZE_U32_3M = 6, 7  # pick_size kinds: a u32 modulo 64 KiB, modulo 3 MiB
KIB = 1024
COLD_TICKS = 256  # the arena's age rule; each mapped block is one tick


class Input:
    """The bytes of one input, with the harness's model of its live blocks
    (free swaps the last block into the freed one's place)."""

    def __init__(self):
        self.bytes = bytearray(CONFIG)
        self.live = []

    def malloc(self, label, size):
        kind = SIZE_U32_64K if size < 64 * KIB else SIZE_U32_3M
        self.bytes += bytes([OP_MALLOC, kind]) + struct.pack("<I", size)
        self.live.append(label)

    def free(self, label):
        i = self.live.index(label)
        self.bytes += bytes([OP_FREE]) + struct.pack("<H", i)
        self.live[i] = self.live[-1]
        self.live.pop()

    def check(self):
        self.bytes += bytes([OP_CHECK])

    def age(self, ticks=COLD_TICKS + 44):
        """Mapped blocks that come and go: a tick each, and no new peak."""
        for _ in range(ticks):
            self.malloc("mapped", 3 * 512 * KIB)
            self.free("mapped")

    def finish(self, destroy_live):
        for _ in range(6):  # arena pages again, some of them given back: zero
            self.bytes += bytes([OP_CALLOC, 1, SIZE_U32_64K]) + struct.pack("<I", 40 * KIB)
        self.check()
        # An input of odd length frees everything before destroy.
        if (len(self.bytes) & 1) != destroy_live:
            self.check()
        return bytes(self.bytes)


def freed_span(x, barrier):
    """800 KiB of arena blocks, freed; with a barrier above them they make a
    free span, without one the arena's unused end."""
    for i in range(20):
        x.malloc("A%d" % i, 40 * KIB)
    if barrier:
        x.malloc("barrier", 20 * KIB)
    for i in range(20):
        x.free("A%d" % i)
    x.check()


def new_peak(x, label, size):
    """After the age: a mapped block that sets a new footprint peak."""
    x.age()
    x.malloc(label, size)
    x.check()


def trim_input(barrier, destroy_live):
    x = Input()
    freed_span(x, barrier)
    new_peak(x, "peak", 2 * 1024 * KIB)
    return x.finish(destroy_live)


def trim_free_spans():
    return trim_input(barrier=True, destroy_live=1)


def trim_arena_end():
    return trim_input(barrier=False, destroy_live=0)


def young_spans_then_peak(x, label, size):
    """C (six pages, allocated first) freed after the age and five of its
    pages taken again: a young span's page is left when the peak comes."""
    x.age()
    x.free("C")
    x.malloc("C'", 20 * KIB)
    x.malloc(label, size)
    x.check()


def trim_mixed_ages():
    """The trim's walk meets a cold span, a young one and a one-page one."""
    x = Input()
    x.malloc("C", 24 * KIB)
    x.malloc("E", 20 * KIB)
    freed_span(x, barrier=True)
    young_spans_then_peak(x, "peak", 2 * 1024 * KIB)
    return x.finish(1)


def trim_twice():
    """A second trim meets the span the first gave back."""
    x = Input()
    x.malloc("C", 24 * KIB)
    x.malloc("E", 20 * KIB)
    freed_span(x, barrier=True)
    for i in range(10):
        x.malloc("B%d" % i, 40 * KIB)
    x.malloc("G", 20 * KIB)
    young_spans_then_peak(x, "peak 1", 2 * 1024 * KIB)
    for i in range(10):
        x.free("B%d" % i)
    new_peak(x, "peak 2", 5 * 512 * KIB)
    return x.finish(0)


def epoch_decommit():
    """Two epochs of 128 arena frees: the unused end goes back."""
    x = Input()
    freed_span(x, barrier=False)
    for _ in range(280):
        x.malloc("churn", 20 * KIB)
        x.free("churn")
    x.check()
    return x.finish(1)


def end_learnt():
    """The arena's unused end, taken again and freed just before each of
    three trims: the first two give it back young, the third learns from
    them that the end must age first, and keeps it."""
    x = Input()
    freed_span(x, barrier=False)
    for r, size in enumerate((2048, 2458, 2867)):  # KiB: each peak above the last
        x.age()
        for i in range(20):
            x.malloc("T%d" % i, 40 * KIB)
        for i in range(20):
            x.free("T%d" % i)
        x.malloc("peak %d" % r, size * KIB)
        x.check()
    return x.finish(0)


INPUTS = [
    ("trim of free spans before a new footprint peak", trim_free_spans),
    ("trim of the arena's unused end", trim_arena_end),
    ("trim walk over cold, young and one-page spans", trim_mixed_ages),
    ("two trims, the second past a given-back span", trim_twice),
    ("end-of-epoch decommit", epoch_decommit),
    ("the arena's end given back young twice, then its age learnt", end_learnt),
]


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: make_arena_inputs.py DIR (an existing directory)")
    for what, make in INPUTS:
        data = make()
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)
        print(name, what)


if __name__ == "__main__":
    main()
