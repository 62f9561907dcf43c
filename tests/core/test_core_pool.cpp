// SPDX-License-Identifier: GPL-3.0-or-later
// Size classes, pool exhaustion and fallback, growth up to pool_limit, the
// LIFO cache and its bound, the free list (a bitmap, lowest first) behind it.
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("each size goes to the smallest class that holds it") {
  Mm mm = make(small_config());
  const struct {
    size_t size;
    uint32_t cls;
  } cases[] = {{0, 0}, {1, 0}, {16, 0}, {17, 1}, {32, 1}, {33, 2}, {64, 2}, {65, 3}, {128, 3}};
  for (const auto& k : cases) {
    CAPTURE(k.size);
    const uint64_t before = class_stats(mm.get(), k.cls).allocs;
    void* p = fastalloc32_malloc(mm.get(), k.size);
    CHECK(class_stats(mm.get(), k.cls).allocs == before + 1);
    CHECK(fastalloc32_usable_size(mm.get(), p) == class_stats(mm.get(), k.cls).block_size);
    fastalloc32_free(mm.get(), p);
  }
  void* big = fastalloc32_malloc(mm.get(), 129);
  CHECK(fastalloc32_kind_of(mm.get(), big) == FASTALLOC32_KIND_LARGE);
  fastalloc32_free(mm.get(), big);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a full class falls back to the system allocator, counted") {
  SystemSpy spy;
  fastalloc32_config c = small_config(4096);  // 64 blocks of 64 bytes
  spy.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (int i = 0; i < 64; ++i) {
      ptrs.push_back(fastalloc32_malloc(mm.get(), 50));
      CHECK(fastalloc32_kind_of(mm.get(), ptrs.back()) == FASTALLOC32_KIND_POOL);
    }
    CHECK(class_stats(mm.get(), 2).capacity_blocks == 64);
    for (int i = 0; i < 3; ++i) {
      void* p = fastalloc32_malloc(mm.get(), 50);
      REQUIRE(p != nullptr);
      CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK);
      CHECK(fastalloc32_usable_size(mm.get(), p) >= 50);
      ptrs.push_back(p);
    }
    fastalloc32_stats s = stats(mm.get());
    CHECK(s.fallback_allocs == 3);
    // One slab serves all three: its blocks, its record and the slab index.
    CHECK(s.sys_mallocs == 3);
    CHECK(s.fallback_bytes.current == 3 * 64);     // whole blocks of the class
    CHECK(s.footprint.current > 2 * 4096 + 4096);  // the pool's pages and a slab
    CHECK(s.pool_blocks.current == 64);
    CHECK(class_stats(mm.get(), 2).fallback_allocs == 3);
    // Other classes are not affected.
    void* other = fastalloc32_malloc(mm.get(), 20);
    CHECK(fastalloc32_kind_of(mm.get(), other) == FASTALLOC32_KIND_POOL);
    ptrs.push_back(other);
    const uint64_t with_slab = held_blocks(stats(mm.get()));
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    s = stats(mm.get());
    CHECK(s.fallback_frees == 3);
    // The empty slab is kept for the class's next overflow.
    CHECK(s.sys_frees == 0);
    CHECK(s.fallback_bytes.current == 0);
    CHECK(held_blocks(s) == with_slab);
    // A freed pool block is used again before any fallback.
    void* again = fastalloc32_malloc(mm.get(), 50);
    CHECK(fastalloc32_kind_of(mm.get(), again) == FASTALLOC32_KIND_POOL);
    fastalloc32_free(mm.get(), again);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("pools grow by pool_size chunks up to pool_limit, then fall back") {
  fastalloc32_config c = small_config(4096);
  c.pool_limit = 3 * 4096 + 100;  // three chunks
  Mm mm = make(c);
  std::vector<void*> ptrs;
  for (int i = 0; i < 3 * 32; ++i) {
    ptrs.push_back(fastalloc32_malloc(mm.get(), 128));
    FAST_REQUIRE(fastalloc32_kind_of(mm.get(), ptrs.back()) == FASTALLOC32_KIND_POOL);
  }
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.pool_grows == 2);
  CHECK(class_stats(mm.get(), 3).capacity_blocks == 96);
  void* p = fastalloc32_malloc(mm.get(), 128);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK);
  ptrs.push_back(p);
  s = stats(mm.get());
  CHECK(s.pool_grows == 2);
  CHECK(s.fallback_allocs == 1);
  // Blocks of the grown chunks are distinct and contiguous with the first.
  CHECK(std::set<void*>(ptrs.begin(), ptrs.end()).size() == ptrs.size());
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* q : ptrs) fastalloc32_free(mm.get(), q);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("the LIFO cache holds at most cache_capacity blocks, then the free list") {
  fastalloc32_config c = small_config(4096);
  c.cache_capacity = 6;
  Mm mm = make(c);
  std::vector<void*> ptrs;
  for (int i = 0; i < 12; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 30));
  for (int i = 0; i < 6; ++i) fastalloc32_free(mm.get(), ptrs[i]);
  CHECK(class_stats(mm.get(), 1).cached_blocks == 6);
  // The seventh free finds the cache full: its older half goes to the free
  // list in one step, the newest blocks stay.
  fastalloc32_free(mm.get(), ptrs[6]);
  CHECK(class_stats(mm.get(), 1).cached_blocks == 4);
  for (int i = 7; i < 12; ++i) {
    fastalloc32_free(mm.get(), ptrs[i]);
    CHECK(class_stats(mm.get(), 1).cached_blocks <= 6);
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // LIFO: the last blocks freed come back first, from the cache.
  const uint64_t cached = class_stats(mm.get(), 1).cached_blocks;
  for (int i = 11; i > 11 - static_cast<int>(cached); --i) CHECK(fastalloc32_malloc(mm.get(), 30) == ptrs[i]);
  fastalloc32_class_stats k = class_stats(mm.get(), 1);
  CHECK(k.cache_hits == cached);
  CHECK(k.cached_blocks == 0);
  CHECK(k.freelist_hits == 0);
  // Then the free list, which refills the cache with its lowest blocks,
  // handed out in address order (the fresh blocks were handed out so).
  std::vector<void*> rest;
  for (uint64_t i = cached; i < 12; ++i) rest.push_back(fastalloc32_malloc(mm.get(), 30));
  CHECK(rest == std::vector<void*>(ptrs.begin(), ptrs.begin() + static_cast<long>(12 - cached)));
  k = class_stats(mm.get(), 1);
  CHECK(k.freelist_hits >= 1);
  CHECK(k.cache_hits + k.freelist_hits == 12);
  CHECK(k.fresh_blocks == 12);
  CHECK(k.allocs == 24);
  CHECK(k.blocks_in_use.current == 12);
  CHECK(k.blocks_in_use.peak == 12);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.pool_allocs == 24);
  CHECK(s.cache_hits + s.freelist_hits + s.fresh_blocks == 24);
  CHECK(fastalloc32_malloc(mm.get(), 30) != nullptr);
  CHECK(class_stats(mm.get(), 1).fresh_blocks == 13);  // nothing freed is left
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("cache_capacity 0: every freed block goes to the free list") {
  fastalloc32_config c = small_config(4096);
  c.cache_capacity = 0;
  Mm mm = make(c);
  void* a = fastalloc32_malloc(mm.get(), 10);
  fastalloc32_free(mm.get(), a);
  CHECK(class_stats(mm.get(), 0).cached_blocks == 0);
  CHECK(fastalloc32_malloc(mm.get(), 10) == a);
  CHECK(class_stats(mm.get(), 0).freelist_hits == 1);
  CHECK(stats(mm.get()).cache_hits == 0);
  fastalloc32_free(mm.get(), a);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("the free list hands out its lowest blocks first and counts its pages as written") {
  fastalloc32_config c = small_config(1024 * 1024);  // 65536 blocks of 16 bytes
  c.cache_capacity = 0;
  Mm mm = make(c);
  std::vector<void*> ptrs;
  for (int i = 0; i < 40000; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 16));
  const uint64_t before = stats(mm.get()).metadata.current;
  // Block 39999's bit is in the bitmap's second page (32768 bits a page):
  // both pages count, and the summary's first.
  fastalloc32_free(mm.get(), ptrs[39999]);
  CHECK(stats(mm.get()).metadata.current == before + 3 * 4096);
  for (const int i : {700, 5, 64, 63, 38000}) fastalloc32_free(mm.get(), ptrs[static_cast<size_t>(i)]);
  CHECK(stats(mm.get()).metadata.current == before + 3 * 4096);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // Lowest first, whatever the order they were freed in.
  for (const int i : {5, 63, 64, 700, 38000, 39999}) {
    CAPTURE(i);
    CHECK(fastalloc32_malloc(mm.get(), 16) == ptrs[static_cast<size_t>(i)]);
  }
  CHECK(class_stats(mm.get(), 0).freelist_hits == 6);
  // Empty again: the next block is a fresh one.
  CHECK(fastalloc32_malloc(mm.get(), 16) == static_cast<char*>(ptrs.back()) + 16);
  // A free below the lowest one taken before is found again.
  fastalloc32_free(mm.get(), ptrs[1]);
  fastalloc32_free(mm.get(), ptrs[30000]);
  CHECK(fastalloc32_malloc(mm.get(), 16) == ptrs[1]);
  CHECK(fastalloc32_malloc(mm.get(), 16) == ptrs[30000]);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("the largest block a class may have, 65520 bytes, keeps its requested size exactly") {
  fastalloc32_config c = small_config(1024 * 1024);
  c.class_count = 2;
  c.block_sizes[0] = 16;
  c.block_sizes[1] = 65520;
  Mm mm = make(c);
  void* p = fastalloc32_malloc(mm.get(), 65520);
  REQUIRE(p != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(stats(mm.get()).bytes_requested.current == 65520);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // Shrunk in place to nothing and grown back: the entry goes from 1 to
  // 65521, both ends of its range.
  CHECK(fastalloc32_realloc(mm.get(), p, 1) == p);
  CHECK(stats(mm.get()).bytes_requested.current == 1);
  CHECK(fastalloc32_realloc(mm.get(), p, 65520) == p);
  CHECK(stats(mm.get()).bytes_requested.current == 65520);
  fastalloc32_free(mm.get(), p);
  CHECK(stats(mm.get()).bytes_requested.current == 0);
  fastalloc32_free(mm.get(), p);  // still recognised as a double free
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // One byte more is a large block.
  void* q = fastalloc32_malloc(mm.get(), 65521);
  CHECK(fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_LARGE);
  fastalloc32_free(mm.get(), q);
}

TEST_CASE("per-class stats follow requests") {
  Mm mm = make(small_config());
  void* a = fastalloc32_malloc(mm.get(), 40);
  void* b = fastalloc32_malloc(mm.get(), 60);
  fastalloc32_class_stats k = class_stats(mm.get(), 2);
  CHECK(k.bytes_requested.current == 100);
  CHECK(k.blocks_in_use.current == 2);
  fastalloc32_free(mm.get(), a);
  k = class_stats(mm.get(), 2);
  CHECK(k.bytes_requested.current == 60);
  CHECK(k.bytes_requested.peak == 100);
  CHECK(k.bytes_requested.total == 100);
  CHECK(k.frees == 1);
  fastalloc32_free(mm.get(), b);
  CHECK(fastalloc32_get_class_stats(mm.get(), 4, &k) == FASTALLOC32_E_BAD_CONFIG);
}
