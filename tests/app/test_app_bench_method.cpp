// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "fa32/app/bench/bench_report.hpp"
#include "fa32/app/bench/schedule.hpp"
#include "fa32/app/bench/summary.hpp"
#include "fa32/app/cmd_bench.hpp"

using namespace fa32::app::bench;

TEST_CASE("--min-time keeps its fraction of a millisecond") {
  // Whole milliseconds made --min-time 0.5 a 0: one replay a run, however
  // short the trace.
  using std::chrono::nanoseconds;
  CHECK(fa32::app::min_run_time_from_ms(0.5) == nanoseconds(500000));
  CHECK(fa32::app::min_run_time_from_ms(0.000001) == nanoseconds(1));
  CHECK(fa32::app::min_run_time_from_ms(0) == nanoseconds(0));
  CHECK(fa32::app::min_run_time_from_ms(200) == nanoseconds(200000000));
  CHECK(fa32::app::min_run_time_from_ms(1e7) == nanoseconds(10000000000000));
}

TEST_CASE("the schedule interleaves allocators: probe round, then rounds that rotate: A B C, B C A, C A B") {
  const std::vector<Slot> s = interleaved_schedule(3, 2, 1);
  REQUIRE(s.size() == 12);
  // The probe round in order, then each round one allocator later.
  const std::size_t order[] = {0, 1, 2, 0, 1, 2, 1, 2, 0, 2, 0, 1};
  const bool probe[] = {true, true, true, false, false, false, false, false, false, false, false, false};
  const bool warm[] = {true, true, true, true, true, true, false, false, false, false, false, false};
  const int run[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  for (std::size_t i = 0; i < s.size(); ++i) {
    CHECK(s[i].allocator == order[i]);
    CHECK(s[i].probe == probe[i]);
    CHECK(s[i].warmup == warm[i]);
    CHECK(s[i].run == run[i]);
  }
}

TEST_CASE("the schedule without warm-up has the probe round and runs x allocators measured slots") {
  const std::vector<Slot> s = interleaved_schedule(2, 5, 0);
  REQUIRE(s.size() == 12);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(s[i].probe);
    CHECK(s[i].allocator == i);
  }
  for (std::size_t i = 2; i < s.size(); ++i) {
    CHECK_FALSE(s[i].probe);
    CHECK_FALSE(s[i].warmup);
    const std::size_t round = (i - 2) / 2;
    const std::size_t place = (i - 2) % 2;
    CHECK(s[i].allocator == (round + place) % 2);  // rounds start at 0, 1, 0, ...
    CHECK(s[i].run == static_cast<int>(round));
  }
  CHECK(interleaved_schedule(0, 5, 1).empty());
}

TEST_CASE("every allocator takes every place in the rounds equally often") {
  const std::size_t n = 5;
  const std::vector<Slot> s = interleaved_schedule(n, 10, 0);
  REQUIRE(s.size() == n * 11);
  std::vector<std::vector<int>> places(n, std::vector<int>(n, 0));  // [allocator][place]
  for (std::size_t i = n; i < s.size(); ++i) {
    ++places[s[i].allocator][(i - n) % n];
    // Each round holds every allocator once.
    if ((i - n) % n == n - 1) {
      std::vector<bool> seen(n, false);
      for (std::size_t j = i + 1 - n; j <= i; ++j) seen[s[j].allocator] = true;
      CHECK(std::count(seen.begin(), seen.end(), true) == static_cast<long>(n));
    }
  }
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t p = 0; p < n; ++p) CHECK(places[a][p] == 2);
  }
}

TEST_CASE("summary: median of odd and even counts, min, max, spread") {
  const std::vector<double> odd{5, 1, 3};
  Summary a = summarize(odd);
  CHECK(a.samples == 3);
  CHECK(a.median == doctest::Approx(3));
  CHECK(a.min == doctest::Approx(1));
  CHECK(a.max == doctest::Approx(5));
  CHECK(a.spread == doctest::Approx(4.0 / 3.0));
  CHECK(a.noisy);

  const std::vector<double> even{10, 12, 11, 9};
  Summary b = summarize(even);
  CHECK(b.median == doctest::Approx(10.5));
  CHECK(b.min == doctest::Approx(9));
  CHECK(b.max == doctest::Approx(12));

  Summary none = summarize(std::vector<double>{});
  CHECK(none.samples == 0);
  CHECK(none.median == 0);
  CHECK_FALSE(none.noisy);
}

TEST_CASE("the noise flag follows (max-min)/median against the threshold") {
  const std::vector<double> tight{100, 101, 104, 99, 102};  // spread 5%
  CHECK_FALSE(summarize(tight).noisy);
  CHECK(summarize(tight, 0.04).noisy);
  const std::vector<double> wide{100, 100, 100, 100, 111};  // spread 11%
  CHECK(summarize(wide).noisy);
  CHECK_FALSE(summarize(wide, 0.2).noisy);
  const std::vector<double> one{7};
  CHECK_FALSE(summarize(one).noisy);
}

namespace {
AllocatorRow row(std::string name, std::string kind, std::vector<double> ns, std::uint64_t footprint = 0) {
  AllocatorRow r;
  r.name = std::move(name);
  r.kind = std::move(kind);
  r.ns_per_event = std::move(ns);
  if (footprint != 0) r.footprint_peak_bytes = footprint;
  return r;
}
}  // namespace

TEST_CASE("derived figures: ratio to glibc and to the fastest, footprint vs live") {
  WorkloadResult w;
  w.live_peak_bytes = 1000;
  w.allocators.push_back(row("fa32", "fastalloc32", {5, 4, 6}, 1500));
  w.allocators.push_back(row("glibc", "system", {10, 10, 10}, 3000));
  w.allocators.push_back(row("jemalloc", "preload", {8, 8, 9}));
  AllocatorRow broken = row("crashy", "preload", {1});
  broken.status = RunStatus::failed;
  w.allocators.push_back(broken);
  derive_figures(w, 0.10);

  CHECK(w.allocators[0].fastest);
  CHECK_FALSE(w.allocators[1].fastest);
  CHECK(*w.allocators[0].ratio_to_glibc == doctest::Approx(0.5));
  CHECK(*w.allocators[1].ratio_to_glibc == doctest::Approx(1.0));
  CHECK(*w.allocators[2].ratio_to_fastest == doctest::Approx(8.0 / 5.0));
  CHECK(*w.allocators[0].footprint_vs_live == doctest::Approx(1.5));
  CHECK_FALSE(w.allocators[2].footprint_vs_live.has_value());
  // A failed allocator is never the fastest, whatever its partial figures.
  CHECK_FALSE(w.allocators[3].fastest);
  CHECK_FALSE(w.allocators[3].ratio_to_glibc.has_value());
  CHECK(w.allocators[0].summary.noisy);  // 4..6 around 5
  CHECK_FALSE(w.allocators[1].summary.noisy);

  BenchReport r;
  r.workloads.push_back(w);
  CHECK(any_failed(r));
  r.workloads[0].allocators.pop_back();
  CHECK_FALSE(any_failed(r));
}

TEST_CASE("without glibc in the comparison there is no ratio to it") {
  WorkloadResult w;
  w.allocators.push_back(row("a", "fastalloc32", {2}));
  w.allocators.push_back(row("b", "fastalloc32", {3}));
  derive_figures(w, 0.10);
  CHECK_FALSE(w.allocators[0].ratio_to_glibc.has_value());
  CHECK(*w.allocators[1].ratio_to_fastest == doctest::Approx(1.5));
}
