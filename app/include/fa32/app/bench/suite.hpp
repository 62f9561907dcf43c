// The shipped benchmark set of `fa32 bench --suite`: the generator's
// profiles at sizes that take about a minute in all on a small machine.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fa32::app::bench {

struct SuiteEntry {
  std::string label;    // the row name in the report ("small churn", ...)
  std::string profile;  // the fa32 gen profile
  std::uint64_t events = 0;
  std::uint64_t seed = 1;
};

// In report order. Sizes scale with `scale` (1.0 = the shipped sizes).
std::vector<SuiteEntry> suite_entries(double scale = 1.0);

}  // namespace fa32::app::bench
