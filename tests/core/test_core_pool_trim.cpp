// SPDX-License-Identifier: GPL-3.0-or-later
// trim_pools: before the footprint sets a new peak, each class gives back
// the pages of the free blocks at its top; they come back as fresh blocks
// that read zero and count again. Off by default, never with a map hook.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr uint32_t kClass48 = 2;  // the default's classes: 16, 32, 48, 64, ...
constexpr uint32_t kClass64 = 3;

fastalloc32_config trimming_config() {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.trim_pools = 1;
  return c;
}

// n blocks of `size` bytes, every byte written.
std::vector<void*> written(fastalloc32_mm* mm, size_t n, size_t size) {
  std::vector<void*> out;
  for (size_t i = 0; i < n; ++i) {
    void* p = fastalloc32_malloc(mm, size);
    REQUIRE(p != nullptr);
    std::memset(p, 0xAB, size);
    out.push_back(p);
  }
  return out;
}

// Blocks of 1 KiB until the pools have called madvise `trims` times in
// all (or 4 MiB more).
std::vector<void*> grow_until_trim(fastalloc32_mm* mm, uint64_t trims = 1) {
  std::vector<void*> out;
  while (stats(mm).pool_trims < trims && out.size() < 4096) {
    void* p = fastalloc32_malloc(mm, 1024);
    REQUIRE(p != nullptr);
    std::memset(p, 1, 1024);
    out.push_back(p);
  }
  return out;
}

void free_all(fastalloc32_mm* mm, const std::vector<void*>& ptrs) {
  for (void* p : ptrs) fastalloc32_free(mm, p);
}

// 8192 blocks of 64 B (512 KiB) written and freed, then blocks of 1 KiB
// until the pools give something back; returns those.
std::vector<void*> free_a_class_then_grow(fastalloc32_mm* mm, std::vector<void*>* freed) {
  *freed = written(mm, 8192, 64);
  free_all(mm, *freed);
  return grow_until_trim(mm);
}

// The same on a manager that must not trim: every page of the freed class stays.
void expect_every_page_kept(fastalloc32_mm* mm) {
  std::vector<void*> a;
  const std::vector<void*> b = free_a_class_then_grow(mm, &a);
  CHECK(stats(mm).pool_trims == 0);
  CHECK(class_stats(mm, kClass64).touched_bytes == 8192 * 64);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  free_all(mm, b);
}

}  // namespace

TEST_CASE("a class's free top goes back to the kernel before another class sets a new footprint peak") {
  Mm mm = make(trimming_config());
  const std::vector<void*> a = written(mm.get(), 8192, 64);  // 512 KiB, two pool chunks
  const uint64_t held_a = held_blocks(stats(mm.get()));
  // Past 256 KiB a class's pages come in runs of 64 KiB (page runs, which
  // trim_pools keeps): its colour pushes the last block into one more.
  CHECK(held_a == 8192 * 64 + 64 * 1024);
  free_all(mm.get(), a);  // the cache's and free list's pages count now
  // Below the peak nothing is given back: the blocks may be wanted at once.
  fastalloc32_stats s = stats(mm.get());
  CHECK(held_blocks(s) == held_a);
  CHECK(s.pool_trims == 0);
  const uint64_t with_a = s.footprint.current;
  CHECK(class_stats(mm.get(), kClass64).touched_bytes == 8192 * 64);

  const std::vector<void*> b = grow_until_trim(mm.get());
  s = stats(mm.get());
  REQUIRE(s.pool_trims >= 1);
  // Every block of the class was free, so all its pool pages went back.
  CHECK(class_stats(mm.get(), kClass64).touched_bytes == 0);
  CHECK(class_stats(mm.get(), kClass64).cached_blocks == 0);
  // What the pools hold now is the other class's blocks, its colour, and
  // the rest of its last run (16 KiB up to 256 KiB).
  REQUIRE(b.size() * 1024 < 256 * 1024);
  CHECK(held_blocks(s) <= b.size() * 1024 + 4096 + 16 * 1024);
  // The other class grows by what the first one gave back: without the
  // trim the peak would be every page of both.
  std::vector<void*> more = written(mm.get(), 512, 1024);
  CHECK(stats(mm.get()).footprint.peak < with_a + (b.size() + 512) * 1024);
  free_all(mm.get(), more);
  // The most blocks in use at once is still what it was.
  CHECK(class_stats(mm.get(), kClass64).blocks_in_use.peak == 8192);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // They come back fresh: zero, counted in the footprint and in fresh_blocks again.
  const uint64_t fresh = class_stats(mm.get(), kClass64).fresh_blocks;
  const uint64_t before = stats(mm.get()).footprint.current;
  void* z = fastalloc32_calloc(mm.get(), 1, 64);
  REQUIRE(z != nullptr);
  CHECK(all_zero(z, 64));
  CHECK(class_stats(mm.get(), kClass64).fresh_blocks == fresh + 1);
  CHECK(stats(mm.get()).footprint.current == before + 4096);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), z);
  free_all(mm.get(), b);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

// The arena's own pages set a new peak like any other growth: large blocks
// taken when the pools hold free pages must not count both.
TEST_CASE("a class's free top goes back before large arena blocks set a new footprint peak") {
  Mm mm = make(trimming_config());
  // A block at the arena's start, so that a realloc can grow it in place.
  void* big = fastalloc32_malloc(mm.get(), 64 * 1024);
  REQUIRE(big != nullptr);
  const std::vector<void*> a = written(mm.get(), 8192, 64);  // 512 KiB
  free_all(mm.get(), a);
  fastalloc32_stats s = stats(mm.get());
  REQUIRE(s.pool_trims == 0);
  const uint64_t with_a = s.footprint.peak;
  const uint64_t arena_allocs = s.large_arena_allocs;
  const uint64_t in_place = s.realloc_large_in_place;
  const uint64_t fresh = s.fresh_blocks;
  size_t taken = 0;  // arena bytes taken since

  // 64 KiB at a time, until the peak has risen enough for a trim.
  std::vector<void*> blocks;
  SUBCASE("new blocks") {
    while (stats(mm.get()).pool_trims == 0 && taken < 2048 * 1024) {
      void* p = fastalloc32_malloc(mm.get(), 64 * 1024);
      REQUIRE(p != nullptr);
      std::memset(p, 1, 64 * 1024);
      blocks.push_back(p);
      taken += 64 * 1024;
    }
    CHECK(stats(mm.get()).large_arena_allocs == arena_allocs + blocks.size());
  }
  SUBCASE("a block grown in place by realloc") {
    while (stats(mm.get()).pool_trims == 0 && taken < 2048 * 1024) {
      taken += 64 * 1024;
      void* p = fastalloc32_realloc(mm.get(), big, 64 * 1024 + taken);
      REQUIRE(p == big);
    }
    CHECK(stats(mm.get()).realloc_large_in_place == in_place + taken / (64 * 1024));
  }
  s = stats(mm.get());
  CHECK(s.pool_trims == 1);
  CHECK(s.fresh_blocks == fresh);  // only the arena grew
  CHECK(class_stats(mm.get(), kClass64).touched_bytes == 0);
  // The class's 512 KiB went back, and the growth that set off the trim
  // took room they left: it set no new peak.
  CHECK(s.footprint.current + 512 * 1024 <= with_a + taken + 4096);
  CHECK(s.footprint.peak < with_a + taken);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), blocks);
  fastalloc32_free(mm.get(), big);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("only the free blocks above the highest live one go, and those reaching into its page read zero") {
  Mm mm = make(trimming_config());
  const std::vector<void*> a = written(mm.get(), 3000, 48);  // about 35 pages
  // Block 100 stays live: [0, 100) are free below it, [101, 3000) at the top.
  for (size_t i = 0; i < a.size(); ++i) {
    if (i != 100) fastalloc32_free(mm.get(), a[i]);
  }
  const std::vector<void*> b = grow_until_trim(mm.get());
  REQUIRE(stats(mm.get()).pool_trims >= 1);
  const fastalloc32_class_stats k = class_stats(mm.get(), kClass48);
  CHECK(k.touched_bytes == 101 * 48);
  CHECK(k.blocks_in_use.current == 1);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_kind_of(mm.get(), a[100]) == FASTALLOC32_KIND_POOL);

  // The free blocks below come back first, then the fresh ones from 101 on,
  // the first of them partly in the page block 100 kept (written 0xAB
  // before): calloc does not zero a fresh block, so each must read zero.
  std::vector<void*> again;
  for (int i = 0; i < 2999; ++i) {
    void* p = fastalloc32_calloc(mm.get(), 1, 48);
    REQUIRE(p != nullptr);
    FAST_REQUIRE(all_zero(p, 48));
    again.push_back(p);
  }
  CHECK(class_stats(mm.get(), kClass48).blocks_in_use.current == 3000);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), again);
  fastalloc32_free(mm.get(), a[100]);
  free_all(mm.get(), b);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a free of a block whose page went back is an invalid free and changes nothing") {
  ErrorLog log;
  fastalloc32_config c = trimming_config();
  log.attach(c);
  Mm mm = make(c);
  std::vector<void*> a;
  const std::vector<void*> b = free_a_class_then_grow(mm.get(), &a);
  REQUIRE(stats(mm.get()).pool_trims >= 1);
  const fastalloc32_stats s = stats(mm.get());
  fastalloc32_free(mm.get(), a[5000]);
  const fastalloc32_stats t = stats(mm.get());
  CHECK(t.invalid_frees == s.invalid_frees + 1);
  CHECK(t.frees == s.frees);
  CHECK(t.footprint.current == s.footprint.current);
  REQUIRE(!log.entries.empty());
  CHECK(log.entries.back().ptr == a[5000]);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), b);
}

TEST_CASE("a free block the trim took back in a page a live block keeps is an invalid free too") {
  // The header said a pool block freed again is a double free unless the
  // trim gave its page back; a trim also takes back the free blocks in the
  // page it keeps for the highest live block (zeroed, fresh again), and a
  // pointer to one of them counts as an invalid free as well.
  ErrorLog log;
  fastalloc32_config c = trimming_config();
  log.attach(c);
  Mm mm = make(c);
  std::vector<void*> a = written(mm.get(), 3000, 48);
  for (size_t i = 101; i < a.size(); ++i) fastalloc32_free(mm.get(), a[i]);
  const std::vector<void*> b = grow_until_trim(mm.get());
  REQUIRE(stats(mm.get()).pool_trims >= 1);
  const uintptr_t page = 4096;
  REQUIRE(reinterpret_cast<uintptr_t>(a[101]) / page == reinterpret_cast<uintptr_t>(a[100]) / page);
  const fastalloc32_stats s = stats(mm.get());
  fastalloc32_free(mm.get(), a[101]);  // its page stayed: block 100 is live in it
  const fastalloc32_stats t = stats(mm.get());
  CHECK(t.invalid_frees == s.invalid_frees + 1);
  CHECK(t.double_frees == s.double_frees);
  REQUIRE(!log.entries.empty());
  CHECK(log.entries.back().status == FASTALLOC32_E_INVALID_FREE);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (size_t i = 0; i <= 100; ++i) fastalloc32_free(mm.get(), a[i]);
  free_all(mm.get(), b);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a trim the kernel refuses changes nothing, and the next one gives the pages back") {
  Mm mm = make(trimming_config());
  const std::vector<void*> a = written(mm.get(), 2048, 64);  // 128 KiB, the class's first pages
  free_all(mm.get(), a);
  const fastalloc32_class_stats before = class_stats(mm.get(), kClass64);
  {
    // madvise fails on locked pages (a program may have locked its memory).
    LockedPages locked(a.front(), static_cast<char*>(a.back()) + 64);
    errno = 0;
    const std::vector<void*> b = grow_until_trim(mm.get());
    fastalloc32_stats s = stats(mm.get());
    REQUIRE(s.pool_trims == 1);  // the call was made, and failed
    CHECK(errno == 0);           // and left no error code behind: the mallocs succeeded
    const fastalloc32_class_stats k = class_stats(mm.get(), kClass64);
    CHECK(k.touched_bytes == before.touched_bytes);
    CHECK(k.cached_blocks == before.cached_blocks);
    CHECK(k.fresh_blocks == before.fresh_blocks);
    // Every page is still counted: the class's and the 1 KiB class's.
    CHECK(held_blocks(s) >= 2048 * 64 + b.size() * 1024);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    // The block handed out again is the last one freed, its bytes still there.
    void* again = fastalloc32_malloc(mm.get(), 64);
    CHECK(again == a.back());
    CHECK(std::memchr(again, 0, 64) == nullptr);
    CHECK(class_stats(mm.get(), kClass64).fresh_blocks == before.fresh_blocks);
    fastalloc32_free(mm.get(), again);

    // Unlocked, the next trim moment (the peak a step higher) gives them back.
    locked.unlock();
    const std::vector<void*> c = grow_until_trim(mm.get(), 2);
    REQUIRE(stats(mm.get()).pool_trims == 2);
    CHECK(class_stats(mm.get(), kClass64).touched_bytes == 0);
    CHECK(class_stats(mm.get(), kClass64).cached_blocks == 0);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    void* z = fastalloc32_calloc(mm.get(), 1, 64);
    REQUIRE(z != nullptr);
    CHECK(all_zero(z, 64));
    fastalloc32_free(mm.get(), z);
    free_all(mm.get(), b);
    free_all(mm.get(), c);
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("without trim_pools, or with a map hook, the pools keep every page") {
  SUBCASE("the default config") {
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    Mm mm = make(c);
    expect_every_page_kept(mm.get());
  }
  SUBCASE("a map hook: its memory is not the library's to advise") {
    SystemSpy spy;
    fastalloc32_config c = trimming_config();
    spy.attach(c);
    {
      Mm mm = make(c);
      expect_every_page_kept(mm.get());
    }
    CHECK(spy.balanced());
  }
}

TEST_CASE("the compact preset is the default with trim_pools") {
  fastalloc32_config def;
  fastalloc32_config_init(&def);
  CHECK(def.trim_pools == 0);
  fastalloc32_config compact;
  REQUIRE(fastalloc32_config_preset(&compact, "compact") == FASTALLOC32_OK);
  CHECK(compact.trim_pools == 1);
  compact.trim_pools = 0;
  CHECK(std::memcmp(&compact, &def, sizeof def) == 0);
}
