// SPDX-License-Identifier: GPL-3.0-or-later
// The fallback's slabs: many blocks per system malloc call, found by
// address, with the pool's guarantees (exact counters, bad frees caught
// without touching memory, alignment) and their memory given back.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

// One 64-byte class with a pool of 4 blocks: everything else falls back.
fastalloc32_config one_small_class() {
  fastalloc32_config c = original_config();
  c.class_count = 1;
  c.block_sizes[0] = 64;
  c.pool_size = 256;
  c.pool_limit = 0;
  return c;
}

// A fallback block's size: its request rounded up to 16 bytes (the
// default classes' grid below 256 B), at most its class's block size.
size_t fitted(size_t requested, size_t class_block = 64) {
  const size_t fit = requested == 0 ? 16 : (requested + 15) / 16 * 16;
  return fit < class_block ? fit : class_block;
}

// Live fallback blocks whose usable size is their fitted size.
int count_live_fallback(const fastalloc32_mm* mm) {
  int n = 0;
  fastalloc32_for_each_live(
      mm,
      [](void*, size_t requested, size_t usable, fastalloc32_kind kind, void* user) -> int {
        if (kind == FASTALLOC32_KIND_FALLBACK && usable == fitted(requested)) ++*static_cast<int*>(user);
        return 0;
      },
      &n);
  return n;
}

}  // namespace

TEST_CASE("fallback blocks come from slabs: few system calls for many blocks") {
  SystemSpy spy;
  fastalloc32_config c = one_small_class();
  spy.attach_malloc(c);
  {
    Mm mm = make(c);
    std::vector<void*> blocks;
    uint64_t fallback_bytes = 0;
    for (int i = 0; i < 10000; ++i) {
      void* p = fastalloc32_malloc(mm.get(), 1 + i % 64);
      REQUIRE(p != nullptr);
      blocks.push_back(p);
      if (i >= 4) fallback_bytes += fitted(1 + i % 64);
    }
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.fallback_allocs == 10000 - 4);
    // Slabs of each of the four sizes grow from a page up to 1 MiB (a slab
    // and its record are two calls).
    CHECK(s.sys_mallocs < 50);
    CHECK(s.fallback_bytes.current == fallback_bytes);
    CHECK(fallback_bytes < (10000 - 4) * 64 * 7 / 10);  // 40 B on average, not 64
    CHECK(count_live_fallback(mm.get()) == 10000 - 4);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    // Distinct and apart, each aligned to the largest power of two dividing
    // its size (16, 32 or 64), as a class's blocks are.
    std::vector<void*> sorted = blocks;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); ++i) {
      FAST_REQUIRE(static_cast<size_t>(static_cast<char*>(sorted[i]) - static_cast<char*>(sorted[i - 1])) >=
                   fastalloc32_usable_size(mm.get(), sorted[i - 1]));
    }
    for (void* p : blocks) {
      const size_t usable = fastalloc32_usable_size(mm.get(), p);
      FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % (usable & (~usable + 1)) == 0);
    }
    // Freed in random order, checked as it goes.
    std::mt19937 rng(7);
    std::shuffle(blocks.begin(), blocks.end(), rng);
    for (size_t i = 0; i < blocks.size(); ++i) {
      fastalloc32_free(mm.get(), blocks[i]);
      if (i % 997 == 0) FAST_REQUIRE(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
    const fastalloc32_stats e = stats(mm.get());
    CHECK(e.live_allocs.current == 0);
    CHECK(e.fallback_frees == e.fallback_allocs);
    // Every slab went back to the system malloc but one empty slab of each
    // of the four sizes (and its record), and the registry.
    CHECK(e.sys_frees + 9 >= e.sys_mallocs);
    CHECK(e.footprint.current < 2 * 1024 * 1024);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.mallocs == spy.frees);
}

TEST_CASE("bad frees of fallback blocks are caught and change nothing") {
  ErrorLog log;
  fastalloc32_config c = one_small_class();
  log.attach(c);
  Mm mm = make(c);
  std::vector<void*> pool;
  for (int i = 0; i < 4; ++i) pool.push_back(fastalloc32_malloc(mm.get(), 64));
  char* a = static_cast<char*>(fastalloc32_malloc(mm.get(), 40));
  char* b = static_cast<char*>(fastalloc32_malloc(mm.get(), 40));
  REQUIRE(fastalloc32_kind_of(mm.get(), a) == FASTALLOC32_KIND_FALLBACK);
  CHECK(fastalloc32_usable_size(mm.get(), a) == 48);
  fastalloc32_free(mm.get(), a + 8);        // interior
  fastalloc32_free(mm.get(), b + 48 * 20);  // in the slab, never handed out
  fastalloc32_free(mm.get(), b);
  fastalloc32_free(mm.get(), b);  // double
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.interior_frees == 1);
  CHECK(s.invalid_frees == 1);
  CHECK(s.double_frees == 1);
  REQUIRE(log.entries.size() == 3);
  CHECK(log.entries[0].status == FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(log.entries[1].status == FASTALLOC32_E_INVALID_FREE);
  CHECK(log.entries[2].status == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(s.live_allocs.current == 5);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // The freed block is handed out again before any new one of its size.
  CHECK(fastalloc32_malloc(mm.get(), 33) == b);
}

TEST_CASE("calloc and aligned_alloc through the fallback") {
  Mm mm = make(one_small_class());
  std::vector<void*> held;
  for (int i = 0; i < 4; ++i) held.push_back(fastalloc32_malloc(mm.get(), 64));
  auto* dirty = static_cast<unsigned char*>(fastalloc32_malloc(mm.get(), 64));
  std::fill(dirty, dirty + 64, 0xAB);
  fastalloc32_free(mm.get(), dirty);
  auto* z = static_cast<unsigned char*>(fastalloc32_calloc(mm.get(), 8, 8));
  REQUIRE(z == dirty);  // the same block, zeroed
  CHECK(std::all_of(z, z + 64, [](unsigned char x) { return x == 0; }));
  void* al = fastalloc32_aligned_alloc(mm.get(), 64, 48);
  CHECK(fastalloc32_kind_of(mm.get(), al) == FASTALLOC32_KIND_FALLBACK);
  CHECK(reinterpret_cast<uintptr_t>(al) % 64 == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("fallback blocks fit their request: realloc within it stays, beyond it moves") {
  Mm mm = make(original_config());  // one 128 B class, a 1 MiB pool, no growth
  std::vector<void*> pool;
  for (;;) {
    void* p = fastalloc32_malloc(mm.get(), 128);
    REQUIRE(p != nullptr);
    if (fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK) {
      fastalloc32_free(mm.get(), p);
      break;
    }
    pool.push_back(p);
  }
  for (size_t request :
       {size_t(0), size_t(1), size_t(8), size_t(24), size_t(100), size_t(112), size_t(113)}) {
    CAPTURE(request);
    void* p = fastalloc32_malloc(mm.get(), request);
    REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK);
    CHECK(fastalloc32_usable_size(mm.get(), p) == fitted(request, 128));
    fastalloc32_free(mm.get(), p);
  }
  void* p = fastalloc32_malloc(mm.get(), 20);
  fill(p, 20, 3);
  const fastalloc32_stats before = stats(mm.get());
  CHECK(fastalloc32_realloc(mm.get(), p, 32) == p);  // within its 32 bytes
  void* q = fastalloc32_realloc(mm.get(), p, 90);    // beyond: a 96 B block
  REQUIRE(q != nullptr);
  CHECK(q != p);
  CHECK(verify(q, 20, 3));
  CHECK(fastalloc32_usable_size(mm.get(), q) == 96);
  const fastalloc32_stats after = stats(mm.get());
  CHECK(after.realloc_fallback == before.realloc_fallback + 2);  // in place, then moved
  CHECK(after.fallback_bytes.current == before.fallback_bytes.current - 32 + 96);
  // An aligned request gets a block of a multiple of its alignment.
  void* al = fastalloc32_aligned_alloc(mm.get(), 64, 20);
  REQUIRE(fastalloc32_kind_of(mm.get(), al) == FASTALLOC32_KIND_FALLBACK);
  CHECK(reinterpret_cast<uintptr_t>(al) % 64 == 0);
  CHECK(fastalloc32_usable_size(mm.get(), al) == 64);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* x : pool) fastalloc32_free(mm.get(), x);
  for (void* x : {q, al}) fastalloc32_free(mm.get(), x);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  CHECK(stats(mm.get()).live_allocs.current == 0);
}

TEST_CASE("a fallback slab holds at least 16 blocks: 4 KiB first, then four times as much") {
  // The 16 KiB class of the default layout, held to one block.
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.pool_size = 16384;
  c.pool_limit = 0;
  Mm mm = make(c);
  std::vector<void*> blocks;
  const auto slab_bytes = [&mm] { return stats(mm.get()).footprint_now.fallback; };
  blocks.push_back(fastalloc32_malloc(mm.get(), 16384));  // the pool's one block
  blocks.push_back(fastalloc32_malloc(mm.get(), 16384));
  REQUIRE(fastalloc32_kind_of(mm.get(), blocks.back()) == FASTALLOC32_KIND_FALLBACK);
  // Sixteen blocks, not a page: the slab (with room to align its blocks
  // to 16 KiB), its record and the registry.
  const uint64_t first = slab_bytes();
  CHECK(first >= 16 * 16384);
  CHECK(first < 18 * 16384);
  for (int i = 1; i < 16; ++i) blocks.push_back(fastalloc32_malloc(mm.get(), 16384));
  CHECK(slab_bytes() == first);  // the first slab holds all sixteen
  blocks.push_back(fastalloc32_malloc(mm.get(), 16384));
  // The next one is four times as large: 64 blocks, 1 MiB.
  CHECK(slab_bytes() >= first + 64 * 16384);
  CHECK(slab_bytes() < first + 66 * 16384);
  // A small block's first slab is 4 KiB (the 48 B class, held to 256 blocks).
  const uint64_t before = slab_bytes();
  for (int i = 0; i <= 16384 / 48; ++i) blocks.push_back(fastalloc32_malloc(mm.get(), 48));
  REQUIRE(fastalloc32_kind_of(mm.get(), blocks.back()) == FASTALLOC32_KIND_FALLBACK);
  CHECK(slab_bytes() >= before + 4096 / 48 * 48);  // 85 blocks
  CHECK(slab_bytes() < before + 2 * 4096);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : blocks) fastalloc32_free(mm.get(), p);
}
