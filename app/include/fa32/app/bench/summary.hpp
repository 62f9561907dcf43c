// Statistics over repeated runs: median with min-max, and the noise flag.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <span>

namespace fa32::app::bench {

// A result whose spread, (max - min) / median, is above this is flagged as
// noisy: on a shared machine one slow run in five is common, and a 10% band
// is about the smallest difference between allocators worth reporting.
inline constexpr double default_noise_threshold = 0.10;

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  double spread = 0;  // (max - min) / median; 0 when median is 0
  bool noisy = false;
  int samples = 0;
};

// Median of an even count is the mean of the middle two. An empty span
// gives an all-zero Summary with samples == 0.
Summary summarize(std::span<const double> values, double noise_threshold = default_noise_threshold);

}  // namespace fa32::app::bench
