// SPDX-License-Identifier: GPL-3.0-or-later
// The large path: tracked without a per-block allocation, freed blocks
// reused from the bucketed cache without a system call, the cache bounded
// by large_cache_bytes and kept out of the freed blocks, big blocks mapped.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

fastalloc32_config large_config(size_t cache_bytes) {
  fastalloc32_config c = small_config();
  c.large_cache_bytes = cache_bytes;
  c.mmap_threshold = 256 * 1024;
  return c;
}

}  // namespace

TEST_CASE("one system call per large block, none on reuse from the cache") {
  SystemSpy spy;
  fastalloc32_config c = large_config(1024 * 1024);
  spy.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (int i = 0; i < 200; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 1000 + i));
    fastalloc32_stats s = stats(mm.get());
    CHECK(s.large_allocs == 200);
    CHECK(s.sys_mallocs == 200);  // no second allocation per block (the table is mapped)
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    const uint64_t mallocs = spy.mallocs;
    ptrs.clear();
    for (int i = 0; i < 200; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 1000 + i));
    s = stats(mm.get());
    CHECK(spy.mallocs == mallocs);  // all from the cache
    CHECK(s.large_cache_hits == 200);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("the large cache holds at most large_cache_bytes") {
  for (size_t bound : {size_t(0), size_t(16 * 1024), size_t(100 * 1024)}) {
    CAPTURE(bound);
    SystemSpy spy;
    fastalloc32_config c = large_config(bound);
    spy.attach(c);
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (int i = 0; i < 100; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 4000));
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    const fastalloc32_stats s = stats(mm.get());
    // What is not cached went back to the system; the footprint is the pool
    // pages plus at most the bound.
    CHECK(held_blocks(s) <= bound);
    CHECK(held_blocks(s) + 4096 > bound);  // and the cache is used up to it
    CHECK(spy.mallocs - spy.frees == held_blocks(s) / 4096);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
}

TEST_CASE("blocks at or above mmap_threshold are mapped") {
  SystemSpy spy;
  fastalloc32_config c = large_config(0);
  spy.attach(c);
  {
    Mm mm = make(c);
    const uint64_t maps = spy.maps;
    void* p = fastalloc32_calloc(mm.get(), 1, 300 * 1024);
    REQUIRE(p != nullptr);
    CHECK(spy.maps == maps + 2);  // the pointer table (first large block) and the block
    CHECK(spy.mallocs == 0);
    CHECK(all_zero(p, 300 * 1024));
    CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
    // The mapping is the bucket's pages (320 KiB for 300 KiB); the block
    // starts at a colour in the slack they leave, no page more.
    const size_t colour = colour_of(p);
    CHECK(colour != 0);
    CHECK(colour % 64 == 0);
    CHECK(held_blocks(stats(mm.get())) == 320 * 1024);
    CHECK(fastalloc32_usable_size(mm.get(), p) == 320 * 1024 - colour);
    fastalloc32_free(mm.get(), p);
    CHECK(spy.unmaps == 1);  // the cache is off: straight back
    CHECK(held_blocks(stats(mm.get())) == 0);
  }
  CHECK(spy.balanced());
}

TEST_CASE("writes into cached large blocks cannot corrupt the cache: its records live outside the blocks") {
  SystemSpy spy;
  fastalloc32_config c = large_config(1024 * 1024);
  spy.attach(c);
  {
    Mm mm = make(c);
    void* a = fastalloc32_malloc(mm.get(), 4000);
    void* b = fastalloc32_malloc(mm.get(), 4000);
    REQUIRE((a && b));
    fastalloc32_free(mm.get(), a);
    fastalloc32_free(mm.get(), b);
    CHECK(held_blocks(stats(mm.get())) == 2 * 4096);  // both cached, still ours
    // A use after free over both (the memory is still the cache's).
    std::memset(a, 0xff, 4000);
    std::memset(b, 0xff, 4000);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    void* x = fastalloc32_malloc(mm.get(), 4000);
    void* y = fastalloc32_malloc(mm.get(), 4000);
    void* z = fastalloc32_malloc(mm.get(), 4000);
    CHECK(x == b);
    CHECK(y == a);
    REQUIRE(z != nullptr);
    CHECK(stats(mm.get()).large_cache_hits == 2);
    for (void* p : {x, y, z}) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("the large cache's records grow with it, and a failed growth only skips caching") {
  SystemSpy spy;
  fastalloc32_config c = large_config(8 * 1024 * 1024);
  spy.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (int i = 0; i < 300; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 1000));
    for (size_t i = 0; i < 200; ++i) fastalloc32_free(mm.get(), ptrs[i]);  // 200 records: grown twice
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    const uint64_t frees = spy.frees;
    spy.fail_at = spy.calls + 1;  // the next growth of the records, for the 257th
    for (size_t i = 200; i < 300; ++i) fastalloc32_free(mm.get(), ptrs[i]);
    CHECK(spy.frees == frees + 1);  // the block that found no record went back; the next grew them
    const fastalloc32_stats s = stats(mm.get());
    CHECK(held_blocks(s) == 299 * 1024);  // cached blocks of 1 KiB
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    ptrs.clear();
    for (int i = 0; i < 300; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 1000));
    CHECK(stats(mm.get()).large_cache_hits == 299);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("large blocks start at a colour in the slack of their pages, and a colour never costs a page") {
  constexpr size_t KiB = 1024;
  constexpr size_t MiB = 1024 * KiB;
  Mm mm = make(small_config());  // the arena from 16 KiB, mappings from 1 MiB
  std::vector<void*> ptrs;
  // Arena spans are the request's pages. Sizes that leave 64 bytes or more
  // in the last page start at a colour there, successive ones at different
  // colours; whole pages (or within 64 bytes of them) stay page aligned.
  uint64_t footprint = stats(mm.get()).footprint.current;
  for (size_t size : {64 * KiB, 64 * KiB - 1000, 64 * KiB - 1000, 100 * KiB + 8, 20 * KiB - 32}) {
    CAPTURE(size);
    void* p = fastalloc32_malloc(mm.get(), size);
    REQUIRE(p != nullptr);
    const size_t colour = colour_of(p);
    CHECK(colour % 64 == 0);
    CHECK(colour <= page_slack(size));
    CHECK((colour != 0) == (page_slack(size) >= 64));
    CHECK(fastalloc32_usable_size(mm.get(), p) + colour == size + page_slack(size));
    if (!ptrs.empty() && colour != 0) CHECK(colour != colour_of(ptrs.back()));
    footprint += size + page_slack(size);
    CHECK(stats(mm.get()).footprint.current == footprint);
    ptrs.push_back(p);
  }
  CHECK(stats(mm.get()).large_arena_allocs == ptrs.size());

  // Mappings: the colour lies in the bucket's slack (2 MiB for 2 MiB - 1000);
  // a mapping of exactly a bucket's pages stays page aligned.
  void* m1 = fastalloc32_malloc(mm.get(), 2 * MiB - 1000);
  void* exact = fastalloc32_malloc(mm.get(), 2 * MiB);
  REQUIRE((m1 && exact));
  CHECK(colour_of(m1) != 0);
  CHECK(colour_of(exact) == 0);
  CHECK(stats(mm.get()).footprint.current == footprint + 4 * MiB);
  CHECK(fastalloc32_usable_size(mm.get(), m1) == 2 * MiB - colour_of(m1));
  // From the cache: the same mapping, at a new colour in the room it has
  // beyond the request.
  fastalloc32_free(mm.get(), m1);
  void* m2 = fastalloc32_malloc(mm.get(), 2 * MiB - 5000);
  REQUIRE(m2 != nullptr);
  CHECK(stats(mm.get()).large_cache_hits == 1);
  CHECK(first_page(m2) == first_page(m1));
  CHECK(colour_of(m2) != 0);
  CHECK(colour_of(m2) != colour_of(m1));
  // mremap moves whole pages: a mapping keeps its colour as it grows.
  fill(m2, 2 * MiB - 5000, 5);
  void* m3 = fastalloc32_realloc(mm.get(), m2, 6 * MiB);
  REQUIRE(m3 != nullptr);
  CHECK(stats(mm.get()).sys_remaps == 1);
  CHECK(colour_of(m3) == colour_of(m2));
  CHECK(verify(m3, 2 * MiB - 5000, 5));
  CHECK(fastalloc32_usable_size(mm.get(), m3) == 6 * MiB + 4096 - colour_of(m3));
  for (void* p : {exact, m3}) ptrs.push_back(p);

  // Alignments: a page or more decides the address; below a page the
  // colour is a non-zero multiple of the alignment that fits the slack.
  void* paged = fastalloc32_aligned_alloc(mm.get(), 4096, 64 * KiB - 1000);
  void* half = fastalloc32_aligned_alloc(mm.get(), 2048, 64 * KiB - 3000);
  void* wide = fastalloc32_aligned_alloc(mm.get(), 256, 70 * KiB);
  REQUIRE((paged && half && wide));
  CHECK(colour_of(paged) == 0);
  CHECK(colour_of(half) == 2048);
  CHECK(colour_of(wide) % 256 == 0);
  CHECK(colour_of(wide) != 0);
  CHECK(colour_of(wide) <= 2048);
  for (void* p : {paged, half, wide}) ptrs.push_back(p);

  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a freed mapping is cached and serves the next request of its size") {
  SystemSpy spy;
  fastalloc32_config c;
  fastalloc32_config_init(&c);  // mmap_threshold 1 MiB, large_cache_bytes 8 MiB
  spy.attach(c);
  {
    Mm mm = make(c);
    void* p = fastalloc32_malloc(mm.get(), 2 << 20);
    REQUIRE(p != nullptr);
    fastalloc32_free(mm.get(), p);
    CHECK(spy.unmaps == 0);          // kept in the large cache
    const uint64_t maps = spy.maps;  // the cache's records are mapped by now
    CHECK(stats(mm.get()).footprint_now.large_cache >= (2u << 20));
    void* q = fastalloc32_malloc(mm.get(), 2 << 20);
    REQUIRE(q != nullptr);
    CHECK(spy.maps == maps);  // no new mapping
    CHECK(stats(mm.get()).large_cache_hits == 1);
    CHECK(stats(mm.get()).footprint_now.large_cache == 0);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    fastalloc32_free(mm.get(), q);
  }
  CHECK(spy.balanced());
}
