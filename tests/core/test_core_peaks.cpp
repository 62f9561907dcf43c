// SPDX-License-Identifier: GPL-3.0-or-later
// The statistics the fast paths derive instead of counting: peaks against
// what a caller observes after every call, the same figures with and
// without track_peaks, and the block-start test behind free.
#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

fastalloc32_config mixed_config(int track_peaks) {
  fastalloc32_config c = small_config(8192);
  const size_t sizes[] = {16, 48, 80, 128, 336};
  c.class_count = 5;
  for (uint32_t i = 0; i < c.class_count; ++i) c.block_sizes[i] = sizes[i];
  c.cache_capacity = 8;  // small, so the free list and spills are exercised too
  c.track_peaks = track_peaks;
  return c;
}

// A seeded walk over malloc/calloc/realloc/free, small and large, that
// calls `after` once after every call.
template <typename After>
void walk(fastalloc32_mm* mm, uint32_t seed, int calls, After after) {
  std::mt19937 rng(seed);
  std::vector<void*> live;
  auto size = [&] { return rng() % 8 == 0 ? 337 + rng() % 3000 : rng() % 337; };
  for (int i = 0; i < calls; ++i) {
    const auto op = static_cast<uint32_t>(rng() % 10);
    if (op < 4 || live.empty()) {
      void* p = op == 0 ? fastalloc32_calloc(mm, 1, size()) : fastalloc32_malloc(mm, size());
      REQUIRE(p != nullptr);
      live.push_back(p);
    } else if (op < 6) {
      void*& p = live[rng() % live.size()];
      void* q = fastalloc32_realloc(mm, p, 1 + size());
      REQUIRE(q != nullptr);
      p = q;
    } else {
      const size_t at = rng() % live.size();
      fastalloc32_free(mm, live[at]);
      live[at] = live.back();
      live.pop_back();
    }
    after();
  }
  for (void* p : live) {
    fastalloc32_free(mm, p);
    after();  // a free can set a peak too (a page of the free list)
  }
  after();
}

void check_same(const fastalloc32_gauge& a, const fastalloc32_gauge& b, bool peak_too) {
  CHECK(a.current == b.current);
  CHECK(a.total == b.total);
  if (peak_too) CHECK(a.peak == b.peak);
}

}  // namespace

TEST_CASE("every peak is the largest current value seen after any call") {
  Mm mm = make(mixed_config(1));
  fastalloc32_stats seen{};
  std::vector<fastalloc32_class_stats> seen_class(5);
  walk(mm.get(), 7, 20000, [&] {
    const fastalloc32_stats s = stats(mm.get());
#define FA32_TEST_MAX(name, desc) seen.name.current = std::max(seen.name.current, s.name.current);
    FASTALLOC32_GAUGES(FA32_TEST_MAX)
#undef FA32_TEST_MAX
    for (uint32_t i = 0; i < 5; ++i) {
      const fastalloc32_class_stats k = class_stats(mm.get(), i);
      seen_class[i].blocks_in_use.current =
          std::max(seen_class[i].blocks_in_use.current, k.blocks_in_use.current);
      seen_class[i].bytes_requested.current =
          std::max(seen_class[i].bytes_requested.current, k.bytes_requested.current);
    }
  });
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.peaks_tracked == 1);
  CHECK(s.live_allocs.current == 0);
#define FA32_TEST_PEAK(name, desc) CHECK(s.name.peak == seen.name.current);
  FASTALLOC32_GAUGES(FA32_TEST_PEAK)
#undef FA32_TEST_PEAK
  CHECK(s.pool_blocks.peak > 0);
  for (uint32_t i = 0; i < 5; ++i) {
    const fastalloc32_class_stats k = class_stats(mm.get(), i);
    CHECK(k.blocks_in_use.peak == seen_class[i].blocks_in_use.current);
    CHECK(k.bytes_requested.peak == seen_class[i].bytes_requested.current);
    CHECK(k.allocs == k.cache_hits + k.freelist_hits + k.fresh_blocks);
  }
  CHECK(s.mallocs == s.frees);
  CHECK(s.cache_hits > 0);
  CHECK(s.freelist_hits > 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

namespace {

// Every figure of `without` equals `with`'s, except the peaks track_peaks names.
void compare(fastalloc32_mm* with, fastalloc32_mm* without) {
  const fastalloc32_stats a = stats(with);
  const fastalloc32_stats b = stats(without);
  CHECK(a.peaks_tracked == 1);
  CHECK(b.peaks_tracked == 0);
#define FA32_TEST_COUNTER(name, desc) CHECK(a.name == b.name);
  FASTALLOC32_COUNTERS(FA32_TEST_COUNTER)
#undef FA32_TEST_COUNTER
  check_same(a.live_allocs, b.live_allocs, false);
  check_same(a.bytes_requested, b.bytes_requested, false);
  check_same(a.bytes_reserved, b.bytes_reserved, false);
  check_same(a.pool_blocks, b.pool_blocks, false);
  check_same(a.large_bytes, b.large_bytes, true);
  check_same(a.fallback_bytes, b.fallback_bytes, true);
  check_same(a.footprint, b.footprint, true);
  CHECK(b.live_allocs.peak == 0);
  CHECK(b.bytes_requested.peak == 0);
  CHECK(b.bytes_reserved.peak == 0);
  CHECK(b.pool_blocks.peak == 0);
  for (uint32_t i = 0; i < 5; ++i) {
    const fastalloc32_class_stats x = class_stats(with, i);
    const fastalloc32_class_stats y = class_stats(without, i);
    CHECK(x.allocs == y.allocs);
    CHECK(x.cache_hits == y.cache_hits);
    CHECK(x.freelist_hits == y.freelist_hits);
    check_same(x.blocks_in_use, y.blocks_in_use, true);  // its peak is kept either way
    check_same(x.bytes_requested, y.bytes_requested, false);
    CHECK(y.bytes_requested.peak == 0);
  }
}

}  // namespace

TEST_CASE("without track_peaks only the peaks it names read 0, every other figure is the same") {
  Mm with = make(mixed_config(1));
  Mm without = make(mixed_config(0));
  std::mt19937 rng(3);
  std::vector<std::pair<void*, void*>> live;
  for (int i = 0; i < 5000; ++i) {
    const size_t size = rng() % 8 == 0 ? 400 + rng() % 2000 : rng() % 337;
    if (rng() % 2 == 0 || live.empty()) {
      live.emplace_back(fastalloc32_malloc(with.get(), size), fastalloc32_malloc(without.get(), size));
    } else if (rng() % 3 == 0) {
      auto& [p, q] = live[rng() % live.size()];
      p = fastalloc32_realloc(with.get(), p, size + 1);
      q = fastalloc32_realloc(without.get(), q, size + 1);
    } else {
      const size_t at = rng() % live.size();
      fastalloc32_free(with.get(), live[at].first);
      fastalloc32_free(without.get(), live[at].second);
      live[at] = live.back();
      live.pop_back();
    }
    if (i % 50 == 0) compare(with.get(), without.get());
  }
  for (auto& [p, q] : live) {
    fastalloc32_free(with.get(), p);
    fastalloc32_free(without.get(), q);
  }
  compare(with.get(), without.get());
  CHECK(stats(with.get()).bytes_requested.peak > 0);
  CHECK(fastalloc32_check(with.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_check(without.get()) == FASTALLOC32_OK);
}

TEST_CASE("free takes a pool block only at its first byte, for every offset and block size") {
  fastalloc32_config c = small_config(1 << 16);
  const size_t sizes[] = {16, 48, 80, 112, 208, 496, 1520, 4080};
  c.class_count = 8;
  for (uint32_t i = 0; i < c.class_count; ++i) c.block_sizes[i] = sizes[i];
  Mm mm = make(c);
  uint64_t interior = 0;
  for (size_t bs : sizes) {
    void* blocks[3];
    for (void*& p : blocks) p = fastalloc32_malloc(mm.get(), bs);
    for (void* p : blocks) {
      auto* base = static_cast<char*>(p);
      for (size_t off = 1; off < bs; ++off) {
        fastalloc32_free(mm.get(), base + off);
        ++interior;
      }
      FAST_REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
    }
    for (void* p : blocks) fastalloc32_free(mm.get(), p);
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.interior_frees == interior);
  CHECK(s.pool_frees == 24);
  CHECK(s.live_allocs.current == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a config whose pool offsets times block size could pass 2^64 is refused") {
  fastalloc32_config c = original_config();
  c.block_sizes[0] = (size_t(1) << 20) - 16;  // not a power of two
  c.pool_size = size_t(1) << 45;
  fastalloc32_status status = FASTALLOC32_OK;
  CHECK(fastalloc32_create_with(&c, &status) == nullptr);
  CHECK(status == FASTALLOC32_E_BAD_CONFIG);
}
