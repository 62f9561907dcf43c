// Memory over time, sampled automatically: the replayer takes a point every
// `stride` events and, whenever its buffer fills, drops every other point and
// doubles the stride. So a trace of any length, streamed or not, ends with
// between target/2 and target evenly spaced points, plus the point at the
// peak of live bytes and the last event, which are always kept. The buffer
// lives in its own mapping, outside the allocator under test.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "fa32/app/replay/mapped_array.hpp"

namespace fa32::app::replay {

struct TimelinePoint {
  std::uint64_t events = 0;  // events replayed when it was taken
  std::uint64_t live_bytes = 0;
  std::uint64_t reserved = 0;
  std::uint64_t footprint = 0;
  std::uint64_t large_allocs = 0;     // fastalloc32: large-path allocations so far
  std::uint64_t fallback_allocs = 0;  // fastalloc32: fallback allocations so far
  std::uint64_t large_bytes = 0;      // fastalloc32: bytes of live large blocks
  std::uint64_t fallback_bytes = 0;   // fastalloc32: bytes of live fallback blocks
};

class TimelineSampler {
 public:
  // target 0: no points are taken (next() stays UINT64_MAX). Otherwise at
  // least 2.
  void start(std::uint64_t target);
  // The event count at which the next point is due.
  std::uint64_t next() const { return next_; }
  // Adds p (taken when next() events were done) and schedules the next one.
  void add(const TimelinePoint& p);
  std::uint64_t stride() const { return stride_; }
  // The kept points with the extra ones merged in, in event order; where an
  // extra point has the event count of a kept one, the extra one wins.
  std::vector<TimelinePoint> finish(std::optional<TimelinePoint> peak,
                                    std::optional<TimelinePoint> end) const;

 private:
  MappedArray<TimelinePoint> points_;
  std::uint64_t target_ = 0;
  std::uint64_t stride_ = 1;
  std::uint64_t next_ = UINT64_MAX;
};

}  // namespace fa32::app::replay
