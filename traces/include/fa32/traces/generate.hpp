// Synthetic workloads: deterministic event streams from a seed, produced one
// event at a time (100 million events need no more memory than 1,000). A
// Generator is a TraceReader, so anything that reads traces (convert,
// replay, bench) can consume one directly.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/traces/random.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::traces {

// Request sizes. Parsed from "fixed:64", "uniform:8-128",
// "power:8-4096:1.5" (P(s) ~ s^-alpha), "hist:[[16,5],[32,1]]" or
// "hist:@file.json" (pairs of size and weight, or {"16":5,"32":1}).
class SizeDistribution {
 public:
  enum class Kind { fixed, uniform, power, histogram, mixture };
  static SizeDistribution fixed(std::uint64_t size);
  static SizeDistribution uniform(std::uint64_t lo, std::uint64_t hi);
  static SizeDistribution power(std::uint64_t lo, std::uint64_t hi, double alpha);
  static SizeDistribution histogram(std::vector<std::pair<std::uint64_t, double>> weights);
  static SizeDistribution mixture(std::vector<std::pair<double, SizeDistribution>> parts);
  // Throws std::invalid_argument with what was wrong.
  static SizeDistribution parse(std::string_view spec);

  std::uint64_t sample(Rng& rng) const;
  std::string describe() const;
  Kind kind() const { return kind_; }
  std::uint64_t min() const;
  std::uint64_t max() const;

 private:
  Kind kind_ = Kind::fixed;
  std::uint64_t lo_ = 16, hi_ = 16;
  double alpha_ = 0;
  std::vector<std::uint64_t> sizes_;     // histogram
  std::vector<double> cumulative_;       // histogram and mixture
  std::vector<SizeDistribution> parts_;  // mixture
};

// Which live allocation a free (or a realloc) picks.
enum class FreeOrder { random, lifo, fifo };

struct GenOptions {
  std::string profile = "small-churn";
  std::uint64_t events = 10000;
  std::uint64_t seed = 1;
  // Each overrides the profile's own value when set.
  std::optional<std::uint64_t> live;  // target live-set size (allocations)
  std::optional<SizeDistribution> sizes;
  std::optional<double> realloc_share;   // fraction of events that are reallocs
  std::optional<std::uint32_t> threads;  // 1: no thread ids in the trace
  // End of trace: free everything except `leaks` allocations (chosen by the
  // free order), or with free_at_end = false leave everything live.
  bool free_at_end = true;
  std::uint64_t leaks = 0;
};

struct ProfileInfo {
  std::string name;
  std::string summary;   // one line: the shape of the workload
  std::string imitates;  // the real programs it stands for
  std::uint64_t live = 1000;
  std::string sizes;  // the default size distribution, as a spec
  double realloc_share = 0;
  std::uint32_t threads = 1;
};

// Every profile, in the order `fa32 gen --list` prints them.
const std::vector<ProfileInfo>& profiles();
const ProfileInfo* find_profile(std::string_view name);

// The generator: a TraceReader whose events come from the profile. Its
// header carries event_count (exactly options.events; one event cannot
// free what it allocates, so it needs leaks 1 or free_at_end false) and
// id_bound (2 * live, or the leaks when more: the live set never exceeds
// them). source() is "gen:<profile>".
// Throws std::invalid_argument for an unknown profile or bad options.
std::unique_ptr<TraceReader> make_generator(const GenOptions& options);

}  // namespace fa32::traces
