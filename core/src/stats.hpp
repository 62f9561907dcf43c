// SPDX-License-Identifier: GPL-3.0-or-later
// Internal storage of the statistics, generated from the public X-macro
// lists so the counters the manager updates and the fields of
// fastalloc32_stats are the same list by construction.
#pragma once

#include <cstdint>

#include "fastalloc32.h"
#include "util.hpp"

namespace fa32::core {

// {current, peak, total}: total is the sum of all increases. Plain integers:
// the manager is single-threaded.
struct Gauge {
  uint64_t current = 0;
  uint64_t peak = 0;
  uint64_t total = 0;

  void add(uint64_t n) noexcept {
    current += n;
    total += n;
    if (__builtin_expect(current > peak, 0)) peak = current;
  }
  void sub(uint64_t n) noexcept { current -= n; }
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
