// SPDX-License-Identifier: GPL-3.0-or-later
// Internal storage of the statistics, generated from the public X-macro
// lists so the counters the manager updates and the fields of
// fastalloc32_stats are the same list by construction.
#pragma once

#include <cstdint>

#include "fastalloc32.h"
#include "util.hpp"

namespace fa32::core {

// {current, peak} stored as {peak, headroom = peak - current}: an increase
// is one subtraction from headroom whose borrow (a new peak) is the only
// branch, a decrease is one addition. Plain integers: the manager is
// single-threaded.
struct Peak {
  uint64_t peak = 0;
  uint64_t headroom = 0;

  uint64_t current() const noexcept { return peak - headroom; }
  void add(uint64_t n) noexcept {
    if (FA32_UNLIKELY(take_headroom(n))) {
      peak -= headroom;  // headroom wrapped to -(amount above the old peak)
      headroom = 0;
    }
  }
  void sub(uint64_t n) noexcept { headroom += n; }
  // A change of unknown sign (realloc in place).
  void change(uint64_t from, uint64_t to) noexcept {
    if (to > from) {
      add(to - from);
    } else {
      sub(from - to);
    }
  }

 private:
  // headroom -= n; true on borrow. On x86-64 one `sub` on memory whose carry
  // flag is the branch condition (compilers otherwise load, subtract, store
  // and compare).
  bool take_headroom(uint64_t n) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    bool borrow;
    __asm__("subq %[n], %[h]" : [h] "+m"(headroom), "=@ccb"(borrow) : [n] "er"(n) : "cc");
    return borrow;
#else
    return __builtin_sub_overflow(headroom, n, &headroom);
#endif
  }
};

// A Peak that also sums every increase (the public gauge's total). Only the
// slow paths move these; the pool's share of the public gauges is derived
// from the class counters (see stats.cpp).
struct Gauge : Peak {
  uint64_t total = 0;

  void add(uint64_t n) noexcept {
    total += n;
    Peak::add(n);
  }
  void change(uint64_t from, uint64_t to) noexcept {
    if (to > from) {
      add(to - from);
    } else {
      sub(from - to);
    }
  }
};

struct Counters {
#define FA32_DECLARE_COUNTER(name, desc) uint64_t name = 0;
  FASTALLOC32_COUNTERS(FA32_DECLARE_COUNTER)
#undef FA32_DECLARE_COUNTER
};

// The footprint's parts (fastalloc32_footprint_parts), as indices.
enum class FootprintPart : unsigned {
#define FA32_PART_ENUM(name, desc) name,
  FASTALLOC32_FOOTPRINT_PARTS(FA32_PART_ENUM)
#undef FA32_PART_ENUM
      count
};
inline constexpr unsigned kFootprintParts = static_cast<unsigned>(FootprintPart::count);

// What the large and fallback paths move directly: their blocks (large ones
// in the pointer table, fallback ones in slabs; the table_* gauges count
// both) and the footprint. Together with the class counters these give
// every public gauge's current value and total.
struct Gauges {
  Gauge table_allocs;     // live large + fallback blocks
  Gauge table_requested;  // bytes requested by them
  Gauge table_reserved;   // their usable bytes
  Gauge large_bytes;
  Gauge fallback_bytes;
  // The manager's own pages touched (record, class table, and per class
  // the cache, live-size table and free list): part of the footprint.
  Gauge metadata;
  // Only through footprint_grow/shrink/move below, which keep the parts.
  Gauge footprint;
  uint64_t parts[kFootprintParts] = {};
  uint64_t parts_at_peak[kFootprintParts] = {};  // the last time current == peak
};

// The footprint grows, shrinks, or moves between parts (a large block into
// or out of the large cache). Only slow paths call these: a new peak copies
// six words.
inline void footprint_grow(Gauges& g, FootprintPart part, uint64_t bytes) noexcept {
  g.parts[static_cast<unsigned>(part)] += bytes;
  g.footprint.add(bytes);
  if (g.footprint.headroom == 0) {
    for (unsigned i = 0; i < kFootprintParts; ++i) g.parts_at_peak[i] = g.parts[i];
  }
}
inline void footprint_shrink(Gauges& g, FootprintPart part, uint64_t bytes) noexcept {
  g.parts[static_cast<unsigned>(part)] -= bytes;
  g.footprint.sub(bytes);
}
inline void footprint_move(Gauges& g, FootprintPart from, FootprintPart to, uint64_t bytes) noexcept {
  g.parts[static_cast<unsigned>(from)] -= bytes;
  g.parts[static_cast<unsigned>(to)] += bytes;
}

// Peaks of the sums over every path, kept only with config.track_peaks:
// they cannot be derived afterwards, and keeping them costs the pool fast
// paths four read-modify-writes of shared words per call (about 15% of
// small-object churn).
struct Peaks {
  Peak live_allocs;
  Peak bytes_requested;
  Peak bytes_reserved;
  Peak pool_blocks;

  void add_block(uint64_t requested, uint64_t reserved, uint64_t pool) noexcept {
    live_allocs.add(1);
    bytes_requested.add(requested);
    bytes_reserved.add(reserved);
    pool_blocks.add(pool);
  }
  void sub_block(uint64_t requested, uint64_t reserved, uint64_t pool) noexcept {
    live_allocs.sub(1);
    bytes_requested.sub(requested);
    bytes_reserved.sub(reserved);
    pool_blocks.sub(pool);
  }
};

}  // namespace fa32::core
