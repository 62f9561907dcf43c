// Refining a class set against the trace itself. A pool's footprint is its
// class's most blocks in use at once, so two sizes whose peaks come at
// different times may cost less in one class than in two: the weighted
// waste the first fit (candidates.hpp) minimises cannot see that. Here each
// class set is simulated on the trace's allocations and frees, a pass of a
// few milliseconds, and classes are moved, merged and added while the
// simulated pool footprint falls. Deterministic: the search is bounded by a
// count of passes, not by time.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fa32/app/replay/replay_event.hpp"

namespace fa32::app::tune {

// A trace reduced to what the pools' footprint depends on.
struct SizeStream {
  std::vector<std::uint64_t> points;  // the distinct request sizes up to top, rounded up to the alignment
  std::vector<std::int32_t> steps;    // in event order: +(i + 1) a block of points[i] made, -(i + 1) freed
  std::uint64_t peak_live_bytes = 0;  // of the blocks counted
};

// Requests above top (the large path) are left out.
SizeStream size_stream(std::span<const replay::ReplayEvent> events, std::uint64_t top,
                       std::uint64_t alignment);

// The pools' footprint with these classes (ascending, the last >= every
// point): per class, its peak blocks in use times its block size, in whole
// 4 KiB pages.
std::uint64_t pool_footprint(const SizeStream& stream, const std::vector<std::uint64_t>& classes);

// From start (ascending; its last class, the ceiling, stays), the class set
// of at most max_classes whose pool footprint, summed over the streams each
// relative to its live peak, is least that a local search finds in at most
// max_passes simulations.
std::vector<std::uint64_t> refine_classes(const std::vector<SizeStream>& streams,
                                          std::vector<std::uint64_t> start, unsigned max_classes,
                                          std::size_t max_passes);

}  // namespace fa32::app::tune
