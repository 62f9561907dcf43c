// SPDX-License-Identifier: GPL-3.0-or-later
// Internal storage of the statistics, generated from the public X-macro
// lists so the counters the manager updates and the fields of
// fastalloc32_stats are the same list by construction.
#pragma once

#include <cstdint>

#include "fastalloc32.h"
#include "util.hpp"

namespace fa32::core {

// {current, peak, total} stored as {peak, headroom = peak - current, total}:
// an increase is one subtraction from headroom whose borrow (a new peak) is
// the only branch, a decrease is one addition. Plain integers: the manager
// is single-threaded.
struct Gauge {
  uint64_t peak = 0;
  uint64_t headroom = 0;
  uint64_t total = 0;

  uint64_t current() const noexcept { return peak - headroom; }
  void add(uint64_t n) noexcept {
    total += n;
    if (FA32_UNLIKELY(take_headroom(n))) {
      peak -= headroom;  // headroom wrapped to -(amount above the old peak)
      headroom = 0;
    }
  }
  void sub(uint64_t n) noexcept { headroom += n; }

 private:
  // headroom -= n; true on borrow. On x86-64 one `sub` on memory whose carry
  // flag is the branch condition (compilers otherwise load, subtract, store
  // and compare: this is on every fast path, six times).
  bool take_headroom(uint64_t n) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    bool borrow;
    __asm__("subq %[n], %[h]" : [h] "+m"(headroom), "=@ccb"(borrow) : [n] "er"(n) : "cc");
    return borrow;
#else
    return __builtin_sub_overflow(headroom, n, &headroom);
#endif
  }

 public:
  // A change of unknown sign (realloc in place).
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

struct Gauges {
#define FA32_DECLARE_GAUGE(name, desc) Gauge name;
  FASTALLOC32_GAUGES(FA32_DECLARE_GAUGE)
#undef FA32_DECLARE_GAUGE
};

}  // namespace fa32::core
