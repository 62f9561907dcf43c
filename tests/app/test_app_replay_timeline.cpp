// The automatic memory-over-time sampling and the lifetime histogram.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/timeline.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app::replay;
using namespace fa32::test;

namespace {

// Feeds a sampler the way the replayer does: a point each time one is due.
TimelineSampler sample_up_to(std::uint64_t target, std::uint64_t events) {
  TimelineSampler t;
  t.start(target);
  while (t.next() <= events) {
    TimelinePoint p;
    p.events = t.next();
    p.live_bytes = p.events * 3;
    t.add(p);
  }
  return t;
}

}  // namespace

TEST_CASE("the sampler keeps between target/2 and target evenly spaced points, whatever the length") {
  for (const std::uint64_t events : {5ull, 999ull, 1000ull, 1001ull, 123457ull, 10000000ull}) {
    CAPTURE(events);
    const TimelineSampler t = sample_up_to(1000, events);
    const std::vector<TimelinePoint> p = t.finish(std::nullopt, std::nullopt);
    if (events < 1000) {
      CHECK(p.size() == events);
    } else {
      CHECK(p.size() >= 500);
      CHECK(p.size() <= 1000);
    }
    REQUIRE_FALSE(p.empty());
    const std::uint64_t step = p[0].events;
    for (std::size_t i = 0; i < p.size(); ++i) {
      CHECK(p[i].events == (i + 1) * step);
      CHECK(p[i].live_bytes == p[i].events * 3);
    }
    CHECK(step == t.stride());
    CHECK(p.back().events <= events);
    CHECK(events - p.back().events < step);
  }
}

TEST_CASE("the sampler's peak and end points are always kept, in event order") {
  const TimelineSampler t = sample_up_to(16, 1001);
  TimelinePoint peak;
  peak.events = 333;  // odd: never a multiple of the stride
  peak.live_bytes = 1u << 30;
  TimelinePoint end;
  end.events = 1001;
  end.live_bytes = 7;
  const std::vector<TimelinePoint> p = t.finish(peak, end);
  CHECK(std::is_sorted(p.begin(), p.end(),
                       [](const TimelinePoint& a, const TimelinePoint& b) { return a.events < b.events; }));
  CHECK(std::count_if(p.begin(), p.end(), [](const TimelinePoint& x) { return x.live_bytes == 1u << 30; }) ==
        1);
  CHECK(p.back().events == 1001);
  CHECK(p.back().live_bytes == 7);
  CHECK(p.size() <= 16 + 2);
}

TEST_CASE("a sampler started with 0 points takes none") {
  TimelineSampler t;
  t.start(0);
  CHECK(t.next() == UINT64_MAX);
  CHECK(t.finish(std::nullopt, std::nullopt).empty());
}

TEST_CASE("a replay's timeline has the live peak, wherever it falls, and the end") {
  // A ramp to one short peak at an odd event, then a long flat tail: with 8
  // points over 4001 events the stride is far wider than the peak.
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 1000; ++i) evs.push_back(ev_malloc(i, 10));
  evs.push_back(ev_malloc(5000, 100000));  // event 1000: the peak
  evs.push_back(ev_free(5000));
  for (std::uint64_t i = 0; i < 3000; ++i) evs.push_back(i % 2 == 0 ? ev_malloc(6000, 8) : ev_free(6000));
  TestAllocator a;
  ReplayOptions o;
  o.timeline_points = 8;
  const ReplayResult r = replay(evs, a, o);
  REQUIRE_FALSE(r.error);
  CHECK(r.peak_live_bytes == 10000 + 100000);
  CHECK(r.peak_live_bytes_event == 1000);
  const auto& t = r.timeline;
  CHECK(t.size() <= 8 + 2);
  const auto peak =
      std::find_if(t.begin(), t.end(), [&](const TimelinePoint& p) { return p.events == 1001; });
  REQUIRE(peak != t.end());
  CHECK(peak->live_bytes == r.peak_live_bytes);
  CHECK(std::max_element(t.begin(), t.end(), [](const TimelinePoint& x, const TimelinePoint& y) {
          return x.live_bytes < y.live_bytes;
        })->live_bytes == r.peak_live_bytes);
  CHECK(t.back().events == r.events);
  CHECK(t.back().live_bytes == r.live_bytes);
}

TEST_CASE("no timeline unless asked: a benchmark's replay takes no extra samples") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 10), ev_free(0)};
  TestAllocator a;
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  CHECK(r.timeline.empty());
}

TEST_CASE("lifetimes count the events between an allocation and its free") {
  // a lives 1 event, b 3 events, c 4 (the realloc keeps its birth); d is never freed.
  const std::vector<ReplayEvent> evs{ev_malloc(0, 1), ev_free(0), ev_malloc(1, 1),   ev_malloc(2, 1),
                                     ev_malloc(3, 1), ev_free(1), ev_realloc(2, 50), ev_free(2)};
  TestAllocator a;
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  REQUIRE_FALSE(r.error);
  CHECK(r.lifetime_histogram[0] == 1);  // 1 event: bin <= 1
  CHECK(r.lifetime_histogram[2] == 2);  // 3 events, and 4 with a realloc in between: bin <= 4
  CHECK(r.lifetime_histogram[3] == 0);
  std::uint64_t total = 0;
  for (std::uint64_t c : r.lifetime_histogram) total += c;
  CHECK(total == 3);
}

TEST_CASE("a replay whose every event is a new peak still samples evenly, across chunks") {
  // 200,000 growing allocations: a peak stop at every event, and the replay
  // loop runs in chunks of 65,536, so the timeline's stop must survive both.
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 200000; ++i) evs.push_back(ev_malloc(i, 16));
  TestAllocator a;
  ReplayOptions o;
  o.timeline_points = 64;
  const ReplayResult r = replay(evs, a, o);
  REQUIRE_FALSE(r.error);
  const auto& t = r.timeline;
  REQUIRE(t.size() >= 32);
  CHECK(t.size() <= 64 + 1);  // the peak is the last event here, so it is the end point
  const std::uint64_t step = t[0].events;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    CAPTURE(i);
    CHECK(t[i].events == (i + 1) * step);
    CHECK(t[i].live_bytes == t[i].events * 16);
  }
  CHECK(t.back().events == 200000);
  CHECK(t.back().live_bytes == r.peak_live_bytes);
}

TEST_CASE("a sampled footprint peak is at least every footprint the timeline shows") {
  // The footprint peaks while live bytes stay at 0 (99 blocks of 0 bytes):
  // no peak of live bytes samples it, only the timeline does. The report's
  // chart showed a footprint above the footprint_peak beside it.
  std::vector<ReplayEvent> evs;
  evs.push_back(ev_malloc(0, 8));
  for (std::uint64_t i = 1; i < 100; ++i) evs.push_back(ev_malloc(i, 0));
  for (std::uint64_t i = 1; i < 100; ++i) evs.push_back(ev_free(i));
  TestAllocator a;
  ReplayOptions o;
  o.timeline_points = 1000;
  const ReplayResult r = replay(evs, a, o);
  REQUIRE_FALSE(r.error);
  REQUIRE_FALSE(r.footprint_peak_exact);
  const auto most = std::max_element(
      r.timeline.begin(), r.timeline.end(),
      [](const TimelinePoint& x, const TimelinePoint& y) { return x.footprint < y.footprint; });
  REQUIRE(most != r.timeline.end());
  CHECK(most->footprint == 100u * 100u);
  CHECK(r.footprint_peak >= most->footprint);
}
