// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/suite.hpp"

#include <algorithm>
#include <cmath>

namespace fa32::app::bench {

std::vector<SuiteEntry> suite_entries(double scale) {
  // Sized so that each run of the slowest allocator lasts a few tenths of a
  // second: with 5 allocators x (1 warm-up + 5 runs) per profile, the whole
  // suite takes about a minute on a 2-core machine.
  std::vector<SuiteEntry> entries{
      {"small churn", "small-churn", 2'000'000, 1},
      {"Lua-like", "lua-like", 2'000'000, 1},
      {"crypto VM", "crypto-vm", 2'000'000, 1},
      {"realloc growth", "realloc-growth", 500'000, 1},
      {"fragmentation adversary", "fragmentation", 1'000'000, 1},
      {"large blocks", "large-mix", 500'000, 1},
  };
  for (SuiteEntry& e : entries) {
    e.events =
        std::max<std::uint64_t>(1000, static_cast<std::uint64_t>(std::llround(double(e.events) * scale)));
  }
  return entries;
}

}  // namespace fa32::app::bench
