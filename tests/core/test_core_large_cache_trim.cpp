// SPDX-License-Identifier: GPL-3.0-or-later
// The large cache gives back the blocks that many large allocations have
// passed by (kCacheColdAllocs) when the footprint is about to set a new
// peak, so a program that runs the same work again does not keep the last
// run's leftovers on top of this run's blocks. A block still young stays,
// and below the peak nothing is given back.
#include <doctest/doctest.h>

#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr size_t kMapped = 2 * 1024 * 1024;  // above the default mmap threshold
constexpr size_t kBigger = 3 * 1024 * 1024;  // another bucket: the cached block cannot serve it
constexpr size_t kArenaBlock = 64 * 1024;    // a large allocation the cache never serves

// A mapped block freed into the large cache; returns the cache's bytes then.
uint64_t cache_one(fastalloc32_mm* mm) {
  void* p = fastalloc32_malloc(mm, kMapped);
  REQUIRE(p != nullptr);
  fastalloc32_free(mm, p);
  const fastalloc32_stats s = stats(mm);
  REQUIRE(s.footprint_now.large_cache >= kMapped);
  return s.footprint_now.large_cache;
}

// n large allocations that pass the cached block by (the arena serves them).
void pass_by(fastalloc32_mm* mm, int n) {
  for (int i = 0; i < n; ++i) {
    void* q = fastalloc32_malloc(mm, kArenaBlock);
    REQUIRE(q != nullptr);
    fastalloc32_free(mm, q);
  }
}

Mm make_default() {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  return make(c);
}

}  // namespace

TEST_CASE("a cold cached large block goes back before the footprint sets a new peak") {
  Mm mm = make_default();
  const uint64_t cached = cache_one(mm.get());
  pass_by(mm.get(), 1024);
  const fastalloc32_stats before = stats(mm.get());
  CHECK(before.footprint_now.large_cache == cached);  // nothing sets a peak in between

  void* bigger = fastalloc32_malloc(mm.get(), kBigger);
  REQUIRE(bigger != nullptr);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.footprint_now.large_cache == 0);
  CHECK(s.footprint_at_peak.large_cache == 0);
  CHECK(s.large_cache_trims == 1);
  CHECK(s.sys_unmaps == before.sys_unmaps + 1);
  // The new block took the cold block's place: the footprint grew by the
  // difference only, not by the whole new mapping.
  CHECK(s.footprint.current == before.footprint.current - cached + s.footprint_now.large_blocks);
  CHECK(s.footprint.peak < before.footprint.peak + s.footprint_now.large_blocks);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // The cache still works: the 3 MiB block is cached on free and reused.
  fastalloc32_free(mm.get(), bigger);
  void* again = fastalloc32_malloc(mm.get(), kBigger);
  REQUIRE(again != nullptr);
  CHECK(stats(mm.get()).large_cache_hits == 1);
  fastalloc32_free(mm.get(), again);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a cached large block that is still young stays in the cache at a new peak") {
  Mm mm = make_default();
  const uint64_t cached = cache_one(mm.get());
  pass_by(mm.get(), 1023);  // one short of cold
  void* bigger = fastalloc32_malloc(mm.get(), kBigger);
  REQUIRE(bigger != nullptr);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.footprint_now.large_cache == cached);
  CHECK(s.footprint_at_peak.large_cache == cached);
  CHECK(s.large_cache_trims == 0);
  // Still served from the cache.
  void* reused = fastalloc32_malloc(mm.get(), kMapped);
  REQUIRE(reused != nullptr);
  CHECK(stats(mm.get()).large_cache_hits == 1);
  fastalloc32_free(mm.get(), reused);
  fastalloc32_free(mm.get(), bigger);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("below the footprint's peak a cold cached block stays") {
  Mm mm = make_default();
  // A peak first, then room under it: a block larger than the whole
  // cache (8 MiB) is unmapped when freed.
  void* high = fastalloc32_malloc(mm.get(), 12 * 1024 * 1024);
  REQUIRE(high != nullptr);
  fastalloc32_free(mm.get(), high);
  const uint64_t cached = cache_one(mm.get());
  pass_by(mm.get(), 2048);
  void* under = fastalloc32_malloc(mm.get(), kBigger);
  REQUIRE(under != nullptr);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.footprint_now.large_cache == cached);
  CHECK(s.large_cache_trims == 0);
  fastalloc32_free(mm.get(), under);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
