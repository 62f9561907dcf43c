// Replaying one candidate and measuring it, for `fa32 tune`: the memory
// figures from one checked replay, and the time from interleaved, repeated
// replays summarised as `fa32 bench` summarises its runs.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fa32/app/bench/summary.hpp"
#include "fa32/app/replay/replay_event.hpp"
#include "fastalloc32.h"

namespace fa32::app::tune {

struct MemoryFigures {
  double footprint_vs_live = 0;
  double internal_frag = 0;
  double fallback_rate = 0;
};

// One replay with every check: nullopt and problem set when the config is
// rejected, the replay stops, an allocation fails, or fastalloc32_check
// fails afterwards.
std::optional<MemoryFigures> measure_memory(const fastalloc32_config& config,
                                            std::span<const replay::ReplayEvent> events,
                                            std::uint64_t id_bound, std::uint64_t memory_limit,
                                            std::string& problem);

// CPU ns per event of each config on events: one warm-up round, then runs
// rounds, each round every config once in an order rotated by seed, a fresh
// manager per replay, blocks touched as `fa32 bench` touches them. tick is
// called after each replay. Throws std::runtime_error if a replay stops.
std::vector<bench::Summary> time_configs(const std::vector<fastalloc32_config>& configs,
                                         std::span<const replay::ReplayEvent> events, std::uint64_t id_bound,
                                         std::uint64_t memory_limit, int runs, std::uint64_t seed,
                                         const std::function<void()>& tick);

// True when the two configs build the same manager.
bool same_config(const fastalloc32_config& a, const fastalloc32_config& b);

}  // namespace fa32::app::tune
