// SPDX-License-Identifier: GPL-3.0-or-later
// The footprint's parts (fastalloc32_stats.footprint_now and
// footprint_at_peak): each path's memory lands in its own part, a large
// block moves between "large blocks" and "large cache" without moving the
// footprint, and the parts at the peak are those of the last moment the
// footprint stood at its peak.
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

// Every part, from the same list the struct is declared from.
uint64_t sum(const fastalloc32_footprint_parts& p) {
  uint64_t total = 0;
#define ADD_PART(name, desc) total += p.name;
  FASTALLOC32_FOOTPRINT_PARTS(ADD_PART)
#undef ADD_PART
  return total;
}

// The stats, after checking that the parts add up and the manager is sound.
fastalloc32_stats checked_stats(const fastalloc32_mm* mm) {
  const fastalloc32_stats s = stats(mm);
  CHECK(sum(s.footprint_now) == s.footprint.current);
  CHECK(sum(s.footprint_at_peak) == s.footprint.peak);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  return s;
}

}  // namespace

TEST_CASE("the footprint's parts: pools, metadata, arena, mapped blocks and the large cache") {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  Mm mm = make(c);
  const uint64_t page = 4096;

  fastalloc32_stats s = checked_stats(mm.get());
  CHECK(s.footprint_now.metadata == s.footprint.current);  // the record and class table
  CHECK(s.footprint_now.metadata == s.metadata.current);
  CHECK(sum(s.footprint_now) == s.footprint_now.metadata);

  void* small = fastalloc32_malloc(mm.get(), 16);
  REQUIRE(small != nullptr);
  s = checked_stats(mm.get());
  CHECK(s.footprint_now.pools == page);
  CHECK(s.footprint_now.metadata == s.metadata.current);  // and the class's first metadata page
  CHECK(s.footprint_at_peak.pools == page);

  // 64 KiB, whole pages: 16 pages of the arena, no colour.
  void* arena_block = fastalloc32_malloc(mm.get(), 64 * 1024);
  REQUIRE(arena_block != nullptr);
  REQUIRE(fastalloc32_kind_of(mm.get(), arena_block) == FASTALLOC32_KIND_LARGE);
  s = checked_stats(mm.get());
  CHECK(s.footprint_now.large_arena == 64 * 1024);
  CHECK(s.footprint_now.large_blocks == 0);

  // From mmap_threshold up: a mapping of its own.
  const uint64_t before_map = s.footprint.current;
  void* mapped = fastalloc32_malloc(mm.get(), 2 * 1024 * 1024);
  REQUIRE(mapped != nullptr);
  s = checked_stats(mm.get());
  const uint64_t mapping = s.footprint.current - before_map;
  CHECK(mapping >= 2 * 1024 * 1024);
  CHECK(s.footprint_now.large_blocks == mapping);
  CHECK(s.footprint_at_peak.large_blocks == mapping);
  const uint64_t peak = s.footprint.peak;

  // Freed, it stays held in the large cache: the footprint does not move,
  // and the peak's parts still show it live.
  fastalloc32_free(mm.get(), mapped);
  s = checked_stats(mm.get());
  CHECK(s.footprint.current == peak);
  CHECK(s.footprint_now.large_blocks == 0);
  CHECK(s.footprint_now.large_cache == mapping);
  CHECK(s.footprint_at_peak.large_blocks == mapping);
  CHECK(s.footprint_at_peak.large_cache == 0);

  // Served again from the cache: back in "large blocks".
  mapped = fastalloc32_malloc(mm.get(), 2 * 1024 * 1024);
  REQUIRE(mapped != nullptr);
  s = checked_stats(mm.get());
  CHECK(s.large_cache_hits == 1);
  CHECK(s.footprint.current == peak);
  CHECK(s.footprint_now.large_blocks == mapping);
  CHECK(s.footprint_now.large_cache == 0);

  // Cached again, then pool pages grow the footprint past its peak: the
  // peak's parts are now those of that moment, the cached block included.
  fastalloc32_free(mm.get(), mapped);
  std::vector<void*> blocks;
  while (stats(mm.get()).footprint.peak == peak) {
    void* p = fastalloc32_malloc(mm.get(), 256);
    REQUIRE(p != nullptr);
    blocks.push_back(p);
  }
  s = checked_stats(mm.get());
  CHECK(s.footprint.current == s.footprint.peak);
  CHECK(s.footprint_at_peak.large_cache == mapping);
  CHECK(s.footprint_at_peak.large_blocks == 0);
  CHECK(s.footprint_at_peak.pools == s.footprint_now.pools);
  CHECK(s.footprint_at_peak.pools > page);

  // Pool blocks freed keep their pages: only the parts' "now" could move,
  // and nothing here gives memory back.
  for (void* p : blocks) fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), arena_block);
  fastalloc32_free(mm.get(), small);
  s = checked_stats(mm.get());
  CHECK(s.footprint_now.pools == s.footprint_at_peak.pools);
}

TEST_CASE("the footprint's parts: fallback slabs") {
  Mm mm = make(small_config());
  std::vector<void*> blocks;
  // A 4 KiB pool of 16-byte blocks holds 256: the rest fall back.
  for (int i = 0; i < 300; ++i) {
    void* p = fastalloc32_malloc(mm.get(), 16);
    REQUIRE(p != nullptr);
    blocks.push_back(p);
  }
  fastalloc32_stats s = checked_stats(mm.get());
  REQUIRE(s.fallback_allocs > 0);
  CHECK(s.footprint_now.fallback > 0);
  // No large block here: the slabs are all the footprint the pools and
  // the metadata leave.
  CHECK(s.footprint_now.large_arena + s.footprint_now.large_blocks + s.footprint_now.large_cache == 0);
  CHECK(s.footprint_now.fallback == s.footprint.current - s.footprint_now.pools - s.footprint_now.metadata);
  CHECK(s.footprint_at_peak.fallback == s.footprint_now.fallback);
  for (void* p : blocks) fastalloc32_free(mm.get(), p);
  s = checked_stats(mm.get());
  CHECK(s.footprint_at_peak.fallback > 0);
}
