// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/timeline.hpp"

#include <algorithm>

#include "fa32/app/replay/engine.hpp"

namespace fa32::app::replay {

void TimelineSampler::start(std::uint64_t target) {
  points_.clear();
  target_ = target == 0 ? 0 : std::max<std::uint64_t>(target, 2);
  stride_ = 1;
  next_ = target_ == 0 ? UINT64_MAX : 1;
  if (target_ != 0) points_.reserve(target_);
}

void TimelineSampler::add(const TimelinePoint& p) {
  points_.push_back(p);
  if (points_.size() >= target_) {
    // Points sit at every multiple of the stride: keeping the odd indices
    // keeps the multiples of twice the stride, still evenly spaced.
    const std::size_t half = points_.size() / 2;
    for (std::size_t i = 0; i < half; ++i) points_[i] = points_[2 * i + 1];
    points_.resize(half);
    stride_ *= 2;
  }
  const std::uint64_t last = points_.empty() ? 0 : points_[points_.size() - 1].events;
  next_ = (last / stride_ + 1) * stride_;
}

std::vector<TimelinePoint> TimelineSampler::finish(std::optional<TimelinePoint> peak,
                                                   std::optional<TimelinePoint> end) const {
  std::vector<TimelinePoint> out(points_.begin(), points_.end());
  const auto by_events = [](const TimelinePoint& a, const TimelinePoint& b) { return a.events < b.events; };
  for (const std::optional<TimelinePoint>& extra : {peak, end}) {
    if (!extra) continue;
    auto at = std::lower_bound(out.begin(), out.end(), *extra, by_events);
    if (at != out.end() && at->events == extra->events) {
      *at = *extra;
    } else {
      out.insert(at, *extra);
    }
  }
  return out;
}

namespace {

TimelinePoint point_of(std::uint64_t events, std::uint64_t live_bytes, const AllocatorSample& s) {
  return {events,         live_bytes,        s.reserved,    s.footprint,
          s.large_allocs, s.fallback_allocs, s.large_bytes, s.fallback_bytes};
}

}  // namespace

// Called from the replay loop's rare stop, where result_.live_bytes is current.
void Replayer::sample_timeline(std::uint64_t events_done) {
  timeline_.add(point_of(events_done, result_.live_bytes, alloc_.sample()));
}

// After the final samples: the peak of live bytes (sampled at the event after
// it, when the peak was still live) and the end.
std::vector<TimelinePoint> Replayer::finish_timeline() const {
  if (options_.timeline_points == 0) return {};
  std::optional<TimelinePoint> peak;
  if (options_.sample_peaks && result_.peak_live_bytes != 0) {
    peak = point_of(result_.peak_live_bytes_event + 1, result_.peak_live_bytes, result_.at_peak_live);
  }
  return timeline_.finish(peak, point_of(result_.events, result_.live_bytes, result_.at_end));
}

}  // namespace fa32::app::replay
