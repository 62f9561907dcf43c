// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/suite.hpp"

#include <algorithm>
#include <cmath>

namespace fa32::app::bench {

std::vector<SuiteEntry> suite_entries(double scale) {
  // Each run replays its trace until it has lasted --min-time (200 ms), so
  // the sizes set the cost of what is not timed (starting the worker,
  // decoding, the probe replay) and how long one pass is: long enough to
  // reach each profile's steady state, short enough that 6 profiles x 5
  // allocators x (1 warm-up + 5 runs) take about a minute on a 2-core machine.
  std::vector<SuiteEntry> entries{
      {"small churn", "small-churn", 300'000, 1},
      {"Lua-like", "lua-like", 300'000, 1},
      {"crypto VM", "crypto-vm", 300'000, 1},
      {"realloc growth", "realloc-growth", 100'000, 1},
      {"fragmentation adversary", "fragmentation", 200'000, 1},
      {"large blocks", "large-mix", 100'000, 1},
  };
  for (SuiteEntry& e : entries) {
    e.events =
        std::max<std::uint64_t>(1000, static_cast<std::uint64_t>(std::llround(double(e.events) * scale)));
  }
  return entries;
}

}  // namespace fa32::app::bench
