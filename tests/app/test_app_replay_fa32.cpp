// The engine against the real fastalloc32: figures worked out by hand.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <vector>

#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/fa32_allocator.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app::replay;
using namespace fa32::test;

namespace {
Fa32Settings two_classes() {
  Fa32Settings s;
  s.config.class_count = 2;
  s.config.block_sizes[0] = 16;
  s.config.block_sizes[1] = 64;
  s.config.pool_size = 4096;  // 256 blocks of 16, 64 of 64
  s.config.pool_limit = 0;    // no growth: a full pool falls back
  s.config.cache_capacity = 4;
  return s;
}
}  // namespace

TEST_CASE("pool hits, cache reuse and fallbacks through fastalloc32") {
  // 0 malloc a 10 -> class 16, fresh
  // 1 malloc b 40 -> class 64, fresh
  // 2 free a      -> cache of class 16
  // 3 malloc c 12 -> class 16, from the cache; live 40 + 12 = 52, the peak
  // 4 free b
  // 5 free c
  Fa32Allocator a(two_classes());
  const std::vector<ReplayEvent> evs{ev_malloc(0, 10), ev_malloc(1, 40), ev_free(0),
                                     ev_malloc(2, 12), ev_free(1),       ev_free(2)};
  ReplayOptions o;
  o.verify = true;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  REQUIRE(r.fa32);
  CHECK(r.fa32->stats.pool_allocs == 3);
  CHECK(r.fa32->stats.cache_hits == 1);
  CHECK(r.fa32->stats.fresh_blocks == 2);
  CHECK(r.fa32->stats.fallback_allocs == 0);
  CHECK(r.fa32->class_count == 2);
  CHECK(r.fa32->classes[0].allocs == 2);
  CHECK(r.fa32->classes[1].allocs == 1);
  CHECK(r.peak_live_bytes == 52);
  CHECK(r.peak_live_bytes_event == 3);
  // At the peak (after event 3): 16 + 64 reserved for 52 requested.
  CHECK(r.at_peak_live.reserved == 80);
  CHECK(r.leak_count == 0);
  CHECK(r.temporary_allocs == 0);
  CHECK(r.footprint_peak_exact);
  CHECK(r.footprint_peak >= 80);
}

TEST_CASE("a full pool falls back to the system allocator, and --verify checks every block") {
  Fa32Settings s = two_classes();
  s.config.class_count = 1;
  s.config.pool_size = 4096;  // 256 blocks of 16
  Fa32Allocator a(s);
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 300; ++i) evs.push_back(ev_malloc(i, 16));
  for (std::uint64_t i = 0; i < 300; ++i) evs.push_back(ev_free(i));
  ReplayOptions o;
  o.verify = true;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  REQUIRE(r.fa32);
  CHECK(r.fa32->stats.pool_allocs == 256);
  CHECK(r.fa32->stats.fallback_allocs == 44);
  CHECK(r.fa32->classes[0].fallback_allocs == 44);
  CHECK(r.fa32->stats.fallback_bytes.peak >= 44 * 16);
  CHECK(r.peak_live_allocs == 300);
  // --verify's pattern went into every block, the 44 fallbacks too (and
  // was checked before each free: no error above).
  CHECK(r.touched_bytes == 300 * 16);
}

TEST_CASE("realloc across strategies keeps the contents under --verify") {
  Fa32Allocator a(two_classes());
  std::vector<ReplayEvent> evs{ev_malloc(0, 8)};
  for (std::uint64_t s = 9; s < 100000; s = s * 3 / 2) evs.push_back(ev_realloc(0, s));
  for (std::uint64_t s = 100000; s > 4; s /= 3) evs.push_back(ev_realloc(0, s));
  evs.push_back(ev_free(0));
  ReplayOptions o;
  o.verify = true;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  REQUIRE(r.fa32);
  CHECK(r.fa32->stats.realloc_pool_to_large >= 1);
  CHECK(r.fa32->stats.realloc_large_to_pool >= 1);
  CHECK(r.realloc_in_place + r.realloc_moved == evs.size() - 2);
  CHECK(r.live_allocs == 0);
}

TEST_CASE("leaks are counted and the manager is left clean") {
  Fa32Allocator a(two_classes());
  {
    Replayer rp(a, ReplayOptions{});
    const std::vector<ReplayEvent> evs{ev_malloc(0, 10), ev_malloc(1, 2000), ev_free(0), ev_malloc(2, 30)};
    rp.feed(evs);
    const ReplayResult r = rp.finish();
    CHECK(r.leak_count == 2);
    CHECK(r.leak_bytes == 2030);
    REQUIRE(r.leaks.size() == 2);
    CHECK(r.leaks[0].event == 1);
    CHECK(r.leaks[1].event == 3);
    REQUIRE(r.fa32);
    CHECK(r.fa32->stats.large_allocs == 1);
  }
  fastalloc32_stats st{};
  st.size = sizeof st;
  REQUIRE(fastalloc32_get_stats(a.manager(), &st) == FASTALLOC32_OK);
  CHECK(st.live_allocs.current == 0);
  CHECK(fastalloc32_check(a.manager()) == FASTALLOC32_OK);
}

TEST_CASE("a config fastalloc32 rejects is an error with the reason") {
  Fa32Settings s;
  s.config.alignment = 3;
  CHECK_THROWS_WITH_AS(Fa32Allocator{s}, doctest::Contains("rejected"), std::runtime_error);
}

// fastalloc32_realloc(p, 0) frees p and returns NULL, but the id stays live
// (0 bytes): --verify's audit must compare fastalloc32's live count with the
// live ids that hold a block, or it reports a disagreement.
TEST_CASE("realloc to size 0 through fastalloc32: the id stays live, --verify's audit agrees") {
  Fa32Allocator a(two_classes());
  const std::vector<ReplayEvent> evs{ev_malloc(0, 10), ev_realloc(0, 0),  ev_malloc(1, 40),
                                     ev_realloc(1, 0), ev_realloc(1, 12), ev_free(0)};
  ReplayOptions o;
  o.verify = true;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  CHECK(r.realloc_to_zero == 2);
  CHECK(r.live_allocs == 1);
  CHECK(r.live_bytes == 12);
  CHECK(r.leak_count == 1);
}

TEST_CASE("huge pages off: the report's config says so, and a large class takes runs of ordinary pages") {
  // 12 MiB of 64-byte blocks, all live at once: past 8 MiB, where the
  // default asks for huge pages (when the kernel grants them).
  std::vector<ReplayEvent> evs;
  const std::uint64_t blocks = (std::uint64_t(12) << 20) / 64;
  for (std::uint64_t i = 0; i < blocks; ++i) evs.push_back(ev_malloc(i, 64));
  for (std::uint64_t i = 0; i < blocks; ++i) evs.push_back(ev_free(i));
  Fa32Settings def;
  Fa32Settings off;
  off.config.huge_pages = 0;
  Fa32Allocator on_alloc(def);
  Fa32Allocator off_alloc(off);
  CHECK(on_alloc.describe().find("no huge pages") == std::string::npos);
  CHECK(off_alloc.describe().find(", no huge pages") != std::string::npos);
  const ReplayResult with = replay(evs, on_alloc, ReplayOptions{});
  const ReplayResult without = replay(evs, off_alloc, ReplayOptions{});
  REQUIRE(with.fa32);
  REQUIRE(without.fa32);
  CHECK(without.fa32->stats.pool_huge_advices == 0);
  CHECK(without.fa32->stats.pool_page_runs > 0);
  // Ordinary pages hold no more than a huge page would: the runs end
  // within 64 KiB of the blocks.
  CHECK(without.footprint_peak <= with.footprint_peak);
  CHECK(without.fa32->stats.footprint_at_peak.pools < (std::uint64_t(12) << 20) + (64 << 10) + 4096);
}
