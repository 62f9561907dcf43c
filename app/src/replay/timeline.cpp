// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/timeline.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/even_spacing.hpp"

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
    points_.resize(keep_every_other(
        points_.size(), [this](std::size_t from, std::size_t to) { points_[to] = points_[from]; }));
    stride_ = doubled(stride_);
  }
  const std::uint64_t last = points_.empty() ? 0 : points_[points_.size() - 1].events;
  next_ = next_multiple(last, stride_);
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

// The same clocks as the replay loop's timing (engine.cpp).
std::uint64_t wall_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

TimelinePoint point_of(std::uint64_t events, std::uint64_t live_bytes, const AllocatorSample& s) {
  return {events,         live_bytes,        s.reserved,    s.footprint,
          s.large_allocs, s.fallback_allocs, s.large_bytes, s.fallback_bytes};
}

}  // namespace

// Called from the replay loop's rare stop, where result_.live_bytes is current.
// Its time is kept out of the replay's timing: the system allocator's
// sample (mallinfo2) walks its bins, and charts must not slow the figures.
void Replayer::sample_timeline(std::uint64_t events_done) {
  const std::uint64_t w0 = wall_ns();
  const std::uint64_t c0 = thread_cpu_ns();
  const AllocatorSample a = alloc_.sample();
  // A sampled footprint peak (the system allocator's) is the largest
  // footprint seen: one the timeline saw counts too, else the report's
  // chart showed a footprint above its own footprint_peak.
  result_.footprint_peak = std::max(result_.footprint_peak, a.footprint);
  timeline_.add(point_of(events_done, result_.live_bytes, a));
  timeline_cpu_ns_ += thread_cpu_ns() - c0;
  timeline_wall_ns_ += wall_ns() - w0;
}

// After the final samples: the peak of live bytes (sampled at the event after
// it, when the peak was still live) and the end.
std::vector<TimelinePoint> Replayer::finish_timeline() {
  result_.replay_ns -= std::min(result_.replay_ns, timeline_wall_ns_);
  result_.replay_cpu_ns -= std::min(result_.replay_cpu_ns, timeline_cpu_ns_);
  if (options_.timeline_points == 0) return {};
  std::optional<TimelinePoint> peak;
  if (options_.sample_peaks && result_.peak_live_bytes != 0) {
    peak = point_of(result_.peak_live_bytes_event + 1, result_.peak_live_bytes, result_.at_peak_live);
  }
  return timeline_.finish(peak, point_of(result_.events, result_.live_bytes, result_.at_end));
}

}  // namespace fa32::app::replay
