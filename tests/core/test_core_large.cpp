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
    CHECK(s.footprint.current <= bound);
    CHECK(s.footprint.current + 4096 > bound);  // and the cache is used up to it
    CHECK(spy.mallocs - spy.frees == s.footprint.current / 4096);
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
    CHECK(reinterpret_cast<uintptr_t>(p) % 4096 == 0);
    fastalloc32_free(mm.get(), p);
    CHECK(spy.unmaps == 1);  // the cache is off: straight back
    CHECK(stats(mm.get()).footprint.current == 0);
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
    CHECK(stats(mm.get()).footprint.current == 2 * 4096);  // both cached, still ours
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
    CHECK(s.footprint.current == 299 * 1024);  // cached blocks of 1 KiB
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    ptrs.clear();
    for (int i = 0; i < 300; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 1000));
    CHECK(stats(mm.get()).large_cache_hits == 299);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}
