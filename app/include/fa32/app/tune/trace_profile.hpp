// What `fa32 tune` learns from a trace before it builds any candidate: the
// request sizes, how many blocks of each size are live at once, how long the
// runs of frees are, and the large requests; plus the checked load and the
// split into a tuning part and a holdout part.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "fa32/app/replay/replay_event.hpp"

namespace fa32::app::tune {

// Loads a whole trace and checks every event's meaning (ids live when used,
// sizes sane) as it goes. Throws InputError naming the trace and the event.
replay::LoadedTrace load_checked(const std::string& path);

struct SizeStats {
  std::uint64_t requests = 0;   // allocations (and realloc targets) of exactly this size
  std::uint64_t peak_live = 0;  // most blocks of this size live at once
};

struct TraceProfile {
  std::uint64_t events = 0;
  std::uint64_t allocations = 0;  // malloc, calloc, aligned_alloc, and realloc to a non-zero size
  std::uint64_t peak_live_blocks = 0;
  std::uint64_t peak_live_bytes = 0;
  std::map<std::uint64_t, SizeStats> sizes;  // by requested size
  // Runs of consecutive frees: a class's cache must hold a run to serve the
  // allocations after it without the free list.
  std::uint64_t free_burst_p99 = 0;
  std::uint64_t free_burst_max = 0;
};

TraceProfile profile_events(std::span<const replay::ReplayEvent> events);

// The first (1 - holdout) of the events, to tune on, and the rest, to check
// the choice on. The holdout part starts with one malloc per block live at
// the cut (same id and size), so its frees find their blocks and its live
// set is the real one; those blocks' history (and alignment) is not kept.
struct SplitTrace {
  replay::EventArray tune;
  replay::EventArray holdout;  // empty when holdout is 0
};
SplitTrace split_events(std::span<const replay::ReplayEvent> events, double holdout);

}  // namespace fa32::app::tune
