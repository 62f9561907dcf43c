// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/summary.hpp"

#include <algorithm>
#include <vector>

namespace fa32::app::bench {

Summary summarize(std::span<const double> values, double noise_threshold) {
  Summary s;
  s.samples = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  s.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  s.min = sorted.front();
  s.max = sorted.back();
  s.spread = s.median > 0 ? (s.max - s.min) / s.median : 0;
  s.noisy = s.spread > noise_threshold;
  return s;
}

}  // namespace fa32::app::bench
