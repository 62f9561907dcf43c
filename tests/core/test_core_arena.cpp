// SPDX-License-Identifier: GPL-3.0-or-later
// The large arena: large blocks from 16 KiB up to mmap_threshold carved from
// one reservation in whole pages, freed spans merged and reused for any
// size without a system call, realloc in place into free neighbours, idle
// pages given back, and the system path when the arena cannot serve.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "page_helpers.hpp"
#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr size_t kPage = 4096;
constexpr size_t KiB = 1024;

fastalloc32_config arena_config() {
  fastalloc32_config c = small_config();
  c.large_cache_bytes = 0;  // nothing kept beyond what the arena itself holds
  return c;
}

// n blocks of `size` bytes, every byte written (so their pages hold memory).
std::vector<void*> written_blocks(fastalloc32_mm* mm, int n, size_t size, int byte) {
  std::vector<void*> out;
  for (int i = 0; i < n; ++i) {
    void* p = fastalloc32_malloc(mm, size);
    REQUIRE(p != nullptr);
    std::memset(p, byte, size);
    out.push_back(p);
  }
  return out;
}

char* at(void* p, size_t offset) {
  return static_cast<char*>(p) + offset;
}

}  // namespace

TEST_CASE("large blocks from 16 KiB come from the arena: one reservation, then no system call") {
  SystemSpy spy;
  fastalloc32_config c = arena_config();
  spy.attach(c);
  {
    Mm mm = make(c);
    const uint64_t maps = spy.maps;
    std::vector<void*> ptrs;
    size_t coloured = 0, spans = 0;
    for (size_t i = 0; i < 50; ++i) {
      const size_t size = 16 * KiB + i * 3000;
      void* p = fastalloc32_malloc(mm.get(), size);
      REQUIRE(p != nullptr);
      CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
      const size_t usable = fastalloc32_usable_size(mm.get(), p);
      CHECK(usable >= size);
      CHECK(usable < size + kPage);  // whole pages, no more
      // The span is the request's pages; the block starts at a colour in
      // the slack they leave (none: page aligned).
      const size_t colour = colour_of(p);
      CHECK(colour % 64 == 0);
      CHECK(colour <= page_slack(size));
      CHECK((colour == 0) == (page_slack(size) < 64));
      CHECK(usable + colour == size + page_slack(size));
      coloured += colour != 0;
      spans += size + page_slack(size);
      std::memset(p, int(i), size);
      ptrs.push_back(p);
    }
    CHECK(coloured > 40);
    CHECK(held_blocks(stats(mm.get())) == spans);  // no page more for a colour
    CHECK(spy.maps == maps + 2);                   // the pointer table and the arena
    CHECK(spy.mallocs == 0);
    fastalloc32_stats s = stats(mm.get());
    CHECK(s.large_allocs == 50);
    CHECK(s.large_arena_allocs == 50);
    CHECK(s.sys_maps == spy.maps);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    for (size_t i = 0; i < ptrs.size(); i += 2) fastalloc32_free(mm.get(), ptrs[i]);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    for (size_t i = 1; i < ptrs.size(); i += 2) fastalloc32_free(mm.get(), ptrs[i]);
    // Other sizes now: served by the merged free space, still no system call.
    ptrs.clear();
    for (size_t i = 0; i < 30; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 40 * KiB + i * 5000));
    s = stats(mm.get());
    CHECK(s.large_arena_allocs == 80);
    CHECK(spy.maps == maps + 2);
    CHECK(spy.mallocs == 0);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    CHECK(stats(mm.get()).large_bytes.current == 0);
  }
  CHECK(spy.balanced());
}

TEST_CASE("freed neighbours merge into one span that serves a bigger request") {
  Mm mm = make(arena_config());
  void* a = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* b = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* c = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* guard = fastalloc32_malloc(mm.get(), 16 * KiB);  // keeps c off the arena's end
  REQUIRE((a && b && c && guard));
  REQUIRE(b == at(a, 64 * KiB));
  REQUIRE(c == at(b, 64 * KiB));
  fastalloc32_free(mm.get(), a);
  fastalloc32_free(mm.get(), c);
  fastalloc32_free(mm.get(), b);  // merges with both neighbours
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  void* big = fastalloc32_malloc(mm.get(), 192 * KiB);
  CHECK(big == a);
  // A smaller request splits a free span: the rest stays free and usable.
  fastalloc32_free(mm.get(), big);
  void* part = fastalloc32_malloc(mm.get(), 100 * KiB);
  void* rest = fastalloc32_malloc(mm.get(), 90 * KiB);
  CHECK(part == a);  // 100 KiB is whole pages: no slack, no colour
  // 90 KiB leaves half a page: its block starts at a colour in the span.
  CHECK(first_page(rest) == first_page(at(a, 100 * KiB)));
  CHECK(colour_of(rest) != 0);
  CHECK(fastalloc32_usable_size(mm.get(), rest) == 92 * KiB - colour_of(rest));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : {part, rest, guard}) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("calloc from a reused span is zero, from fresh pages it is not written") {
  Mm mm = make(arena_config());
  void* guard0 = fastalloc32_malloc(mm.get(), 16 * KiB);
  void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* guard1 = fastalloc32_malloc(mm.get(), 16 * KiB);
  REQUIRE((guard0 && p && guard1));
  std::memset(p, 0xAB, 64 * KiB);
  fastalloc32_free(mm.get(), p);
  void* q = fastalloc32_calloc(mm.get(), 1, 64 * KiB);
  REQUIRE(q == p);
  CHECK(all_zero(q, 64 * KiB));
  void* fresh = fastalloc32_calloc(mm.get(), 4, 16 * KiB);
  REQUIRE(fresh != nullptr);
  CHECK(all_zero(fresh, 64 * KiB));
  for (void* x : {guard0, q, guard1, fresh}) fastalloc32_free(mm.get(), x);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc of an arena block grows in place into a free neighbour or the arena's end") {
  Mm mm = make(arena_config());
  void* p = fastalloc32_malloc(mm.get(), 32 * KiB);
  void* q = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* r = fastalloc32_malloc(mm.get(), 32 * KiB);
  REQUIRE((p && q && r));
  fill(p, 32 * KiB, 1);
  fastalloc32_free(mm.get(), q);

  // Into the freed neighbour (96 KiB free there, 80 KiB wanted).
  void* p2 = fastalloc32_realloc(mm.get(), p, 80 * KiB);
  CHECK(p2 == p);
  CHECK(fastalloc32_usable_size(mm.get(), p2) == 80 * KiB);
  CHECK(verify(p2, 32 * KiB, 1));
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.realloc_large_in_place == 1);
  CHECK(s.bytes_requested.current == 80 * KiB + 32 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // The 16 KiB left between p and r cannot hold 200 KiB more: it moves.
  fill(p2, 80 * KiB, 2);
  void* p3 = fastalloc32_realloc(mm.get(), p2, 300 * KiB);
  REQUIRE(p3 != nullptr);
  CHECK(p3 != p2);
  CHECK(verify(p3, 80 * KiB, 2));
  CHECK(stats(mm.get()).realloc_large_moved == 1);

  // p3 is the last span: it grows at the arena's end.
  fill(p3, 300 * KiB, 3);
  void* p4 = fastalloc32_realloc(mm.get(), p3, 700 * KiB);
  CHECK(p4 == p3);
  CHECK(verify(p4, 300 * KiB, 3));

  // Shrinking to less than half gives the tail pages back.
  void* p5 = fastalloc32_realloc(mm.get(), p4, 20 * KiB);
  CHECK(p5 == p4);
  CHECK(fastalloc32_usable_size(mm.get(), p5) == 20 * KiB);
  CHECK(verify(p5, 20 * KiB, 3));
  s = stats(mm.get());
  CHECK(s.realloc_large_in_place == 3);
  CHECK(s.large_bytes.current == 20 * KiB + 32 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), p5);
  fastalloc32_free(mm.get(), r);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("pages that stay free at the arena's end go back to the kernel") {
  Mm mm = make(arena_config());  // default mmap: the arena may madvise
  const std::vector<void*> ptrs = written_blocks(mm.get(), 40, 256 * KiB, 1);
  fastalloc32_stats s = stats(mm.get());
  CHECK(held_blocks(s) == 40 * 256 * KiB);  // no small blocks: the arena's pages only
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  // Freeing alone keeps the pages (a working set that comes back reuses them).
  s = stats(mm.get());
  CHECK(held_blocks(s) == 40 * 256 * KiB);
  CHECK(s.sys_decommits == 0);
  // A working set of one 16 KiB block for long enough: the rest is given back.
  for (int i = 0; i < 300; ++i) fastalloc32_free(mm.get(), fastalloc32_malloc(mm.get(), 16 * KiB));
  s = stats(mm.get());
  CHECK(s.sys_decommits >= 1);
  CHECK(held_blocks(s) <= 16 * KiB);
  CHECK(s.footprint.peak - s.metadata.current == 40 * 256 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // Pages given back read zero when they come back: calloc need not clear them.
  void* p = fastalloc32_calloc(mm.get(), 1, 512 * KiB);
  REQUIRE(p != nullptr);
  CHECK(all_zero(p, 512 * KiB));
  fastalloc32_free(mm.get(), p);
}

TEST_CASE("large_cache_bytes of free pages at the arena's end are kept") {
  fastalloc32_config c = arena_config();
  c.large_cache_bytes = 2 * 1024 * KiB;
  Mm mm = make(c);
  std::vector<void*> ptrs;
  for (int i = 0; i < 40; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 256 * KiB));
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  for (int i = 0; i < 300; ++i) fastalloc32_free(mm.get(), fastalloc32_malloc(mm.get(), 16 * KiB));
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.sys_decommits >= 1);
  CHECK(held_blocks(s) == 16 * KiB + c.large_cache_bytes);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("without the arena, or when it is full or cannot be reserved, the system malloc serves") {
  SUBCASE("disabled") {
    SystemSpy spy;
    fastalloc32_config c = arena_config();
    c.large_arena_size = 0;
    spy.attach(c);
    {
      Mm mm = make(c);
      void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
      REQUIRE(p != nullptr);
      CHECK(spy.mallocs == 1);
      CHECK(stats(mm.get()).large_arena_allocs == 0);
      fastalloc32_free(mm.get(), p);
    }
    CHECK(spy.balanced());
  }
  SUBCASE("full") {
    SystemSpy spy;
    fastalloc32_config c = arena_config();
    c.large_arena_size = 256 * KiB;
    spy.attach(c);
    {
      Mm mm = make(c);
      std::vector<void*> ptrs;
      for (int i = 0; i < 5; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 64 * KiB));
      for (void* p : ptrs) REQUIRE(p != nullptr);
      const fastalloc32_stats s = stats(mm.get());
      CHECK(s.large_arena_allocs == 4);
      CHECK(spy.mallocs == 1);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
      for (void* p : ptrs) fastalloc32_free(mm.get(), p);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
    CHECK(spy.balanced());
  }
  SUBCASE("the reservation fails: not retried") {
    SystemSpy spy;
    fastalloc32_config c = arena_config();
    spy.attach(c);
    {
      Mm mm = make(c);
      void* warm = fastalloc32_malloc(mm.get(), 1000);  // maps the pointer table
      REQUIRE(warm != nullptr);
      spy.fail_at = spy.calls + 1;  // the arena's map
      void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
      REQUIRE(p != nullptr);
      CHECK(spy.mallocs == 2);
      const uint64_t maps = spy.maps;
      void* q = fastalloc32_malloc(mm.get(), 64 * KiB);
      REQUIRE(q != nullptr);
      CHECK(spy.maps == maps);
      CHECK(stats(mm.get()).large_arena_allocs == 0);
      for (void* x : {warm, p, q}) fastalloc32_free(mm.get(), x);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
    CHECK(spy.balanced());
  }
}

TEST_CASE("bad frees of arena blocks are caught and change nothing") {
  ErrorLog log;
  fastalloc32_config c = arena_config();
  log.attach(c);
  Mm mm = make(c);
  void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* q = fastalloc32_malloc(mm.get(), 32 * KiB);
  REQUIRE((p && q));
  fastalloc32_free(mm.get(), at(p, kPage));  // interior
  fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), p);  // double
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.interior_frees == 1);
  CHECK(s.double_frees == 1);
  REQUIRE(log.entries.size() == 2);
  CHECK(log.entries[0].status == FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(log.entries[1].status == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_usable_size(mm.get(), q) == 32 * KiB);
  fastalloc32_free(mm.get(), q);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc of an arena block to sizes the arena cannot hold moves or fails, never shrinks") {
  Mm mm = make(arena_config());
  // 2^44 + 1 page is 2^32 + 1 pages: a 32-bit page count would wrap to 1.
  for (size_t size : {(size_t(1) << 44) + kPage, SIZE_MAX / 2, size_t(2) << 30}) {
    CAPTURE(size);
    void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
    REQUIRE(p != nullptr);
    fill(p, 64 * KiB, 7);
    void* q = fastalloc32_realloc(mm.get(), p, size);
    if (q == nullptr) {
      CHECK(fastalloc32_usable_size(mm.get(), p) == 64 * KiB);
      CHECK(verify(p, 64 * KiB, 7));
      q = p;
    } else {
      CHECK(fastalloc32_usable_size(mm.get(), q) >= size);
      CHECK(verify(q, 64 * KiB, 7));
    }
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    fastalloc32_free(mm.get(), q);
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("writes into freed arena blocks cannot corrupt the arena: its tags live outside the spans") {
  Mm mm = make(arena_config());
  void* a = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* b = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* guard = fastalloc32_malloc(mm.get(), 16 * KiB);
  REQUIRE((a && b && guard));
  fastalloc32_free(mm.get(), a);
  fastalloc32_free(mm.get(), b);
  // A use after free: garbage over both freed spans (still mapped: the
  // arena keeps its pages).
  std::memset(a, 0xff, 128 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  void* c = fastalloc32_malloc(mm.get(), 100 * KiB);
  CHECK(c == a);
  CHECK(fastalloc32_usable_size(mm.get(), c) == 100 * KiB);
  void* d = fastalloc32_calloc(mm.get(), 1, 28 * KiB);
  CHECK(d == at(a, 100 * KiB));
  CHECK(all_zero(d, 28 * KiB));
  for (void* p : {c, d, guard}) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

namespace {

// The library's default (growing pools), nothing kept in the large cache:
// the footprint is the pools' pages and the arena's.
fastalloc32_config trim_config() {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.large_cache_bytes = 0;
  return c;
}

}  // namespace

namespace {

// One block in each class, so each has its first page.
void touch_every_class(fastalloc32_mm* mm, std::vector<void*>* out) {
  for (uint32_t i = 0; i < fastalloc32_class_count(mm); ++i) {
    void* p = fastalloc32_malloc(mm, class_stats(mm, i).block_size);
    REQUIRE(p != nullptr);
    out->push_back(p);
  }
}

// A class's first 64 KiB take their pages one at a time (past them a run
// of 16 or 64 KiB comes at once), and the live-size table of a class of
// 128 B or more stays within the page it starts on there.
constexpr size_t kSinglePages = 64 * KiB;
constexpr size_t kSmallestGrown = 128;

// New pool pages, each a tick of the arena's clock and a new footprint peak
// (no pool block is freed in these tests), at least `pages` of them; returns
// how many. One at a time while some class of 128 B to 4 KiB (each with its
// first block: touch_every_class) has room below 64 KiB, so the first few
// hundred come exactly; then (or at once, with `runs`) the 4096-byte
// class's runs, whose pages tick the clock one each but come 4 or 16 at once.
int grow_pool(fastalloc32_mm* mm, int pages, std::vector<void*>* out, bool runs = false) {
  int grown = 0;
  while (grown < pages) {
    uint32_t c = 0;
    bool single = false;
    for (uint32_t i = fastalloc32_class_count(mm); !runs && i-- > 0;) {
      const fastalloc32_class_stats k = class_stats(mm, i);
      if (k.block_size > 4096) continue;
      if (k.block_size < kSmallestGrown) break;
      // touched_bytes counts from the class's first block, after its colour (< a page).
      if (k.touched_bytes + k.block_size + 2 * kPage <= kSinglePages) {
        c = i;
        single = true;
        break;
      }
    }
    const size_t size = single ? class_stats(mm, c).block_size : 4096;
    const uint64_t before = stats(mm).footprint_now.pools;
    while (stats(mm).footprint_now.pools == before) {
      void* p = fastalloc32_malloc(mm, size);
      REQUIRE(p != nullptr);
      out->push_back(p);
    }
    const uint64_t added = stats(mm).footprint_now.pools - before;
    REQUIRE(added % kPage == 0);
    if (single) REQUIRE(added == kPage);
    grown += static_cast<int>(added / kPage);
  }
  return grown;
}

// New pool pages (grow_pool) until the arena has made a system call to
// give pages back beyond `decommits`, or `limit` pages; returns how many.
int grow_until_decommit(fastalloc32_mm* mm, uint64_t decommits, int limit, std::vector<void*>* out,
                        bool runs = false) {
  int grown = 0;
  while (stats(mm).sys_decommits == decommits && grown < limit) grown += grow_pool(mm, 1, out, runs);
  return grown;
}

}  // namespace

// The arena's age rule (fastalloc32.h: free pages that stayed free for 256
// ticks; each new pool page is one).
constexpr int kColdTicks = 256;

TEST_CASE("free arena pages that stayed free go back to the kernel before the footprint sets a new peak") {
  Mm mm = make(trim_config());  // default mmap: the arena may madvise
  std::vector<void*> small;
  touch_every_class(mm.get(), &small);
  const uint64_t pools = stats(mm.get()).footprint.current;
  void* keep = fastalloc32_malloc(mm.get(), 64 * KiB);
  const std::vector<void*> ptrs = written_blocks(mm.get(), 8, 256 * KiB, 0xAB);
  void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);  // the freed spans stay below the arena's top
  REQUIRE((keep && guard));
  const uint64_t full = pools + 64 * KiB + 8 * 256 * KiB + 32 * KiB;
  CHECK(stats(mm.get()).footprint.current == full);
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  // Below the peak nothing is given back: the pages may come back at once.
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.footprint.current == full);
  CHECK(s.sys_decommits == 0);

  // A new peak, but the spans were freed a moment ago: kept.
  grow_pool(mm.get(), 1, &small);
  s = stats(mm.get());
  CHECK(s.sys_decommits == 0);
  CHECK(s.footprint.current == full + kPage);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // kColdTicks pool pages later they have stayed free long enough: the 2 MiB
  // go back before one of those pages sets a new peak.
  grow_pool(mm.get(), kColdTicks - 1, &small);
  CHECK(stats(mm.get()).sys_decommits == 0);  // one tick too young
  grow_pool(mm.get(), 1, &small);
  s = stats(mm.get());
  CHECK(s.sys_decommits >= 1);
  const uint64_t held = pools + uint64_t(kColdTicks + 1) * kPage;  // the pools now
  CHECK(s.footprint.current == held + 64 * KiB + 32 * KiB);
  CHECK(s.footprint.peak > full);
  CHECK(s.footprint.peak <= full + uint64_t(kColdTicks + 1) * kPage);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // The first block grows in place into the released span after it: only
  // the pages it takes count.
  fill(keep, 64 * KiB, 7);
  void* grown = fastalloc32_realloc(mm.get(), keep, 192 * KiB);
  REQUIRE(grown == keep);
  CHECK(stats(mm.get()).footprint.current == held + 192 * KiB + 32 * KiB);
  CHECK(verify(grown, 64 * KiB, 7));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // Released pages read zero when they come back, and count again.
  void* z = fastalloc32_calloc(mm.get(), 1, 512 * KiB);
  REQUIRE(z != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), z) == FASTALLOC32_KIND_LARGE);
  CHECK(all_zero(z, 512 * KiB));
  s = stats(mm.get());
  CHECK(s.footprint.current == held + 192 * KiB + 32 * KiB + 512 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // Freed again below the peak: kept, no system call.
  const uint64_t decommits = stats(mm.get()).sys_decommits;
  fastalloc32_free(mm.get(), z);
  for (int i = 0; i < 100; ++i) fastalloc32_free(mm.get(), fastalloc32_malloc(mm.get(), 300 * KiB));
  s = stats(mm.get());
  CHECK(s.sys_decommits == decommits);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : {grown, guard}) fastalloc32_free(mm.get(), p);
  for (void* p : small) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a run of pool pages made present at once ticks the arena's clock once a page") {
  // With the default mmap a class past 256 KiB takes its pages in runs of
  // 64 KiB, 16 pages at once (counted so even where the kernel refuses to
  // make them present, and the manager stops asking); the arena still ages
  // its free pages by pool pages, not by runs (with a tick per run the
  // trim below would come after thousands of pages).
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.large_cache_bytes = 0;
  Mm mm = make(c);
  std::vector<void*> small;
  touch_every_class(mm.get(), &small);
  for (int i = 0; i < 80; ++i) {  // the 4096-byte class past 256 KiB
    small.push_back(fastalloc32_malloc(mm.get(), 4096));
    REQUIRE(small.back() != nullptr);
  }
  const bool runs = kernel_populates();
  if (!runs) MESSAGE("this kernel refuses MADV_POPULATE_WRITE: the runs are counted, not made");
  const std::vector<void*> ptrs = written_blocks(mm.get(), 8, 256 * KiB, 0xAB);
  void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);  // the freed spans stay below the arena's top
  REQUIRE(guard != nullptr);
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  const fastalloc32_stats before = stats(mm.get());
  REQUIRE(before.sys_decommits == 0);
  // The first growth's walk finds the span too young and holds the next
  // off for kColdTicks ticks: 256 pages on, give or take a run (271 here).
  const int grown = grow_until_decommit(mm.get(), 0, 8 * kColdTicks, &small, true);
  CHECK(grown >= kColdTicks - 16);
  CHECK(grown <= kColdTicks + 32);  // the first growth after the free a run of 16 ticks
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.sys_decommits >= 1);
  if (runs) CHECK(s.pool_page_runs > before.pool_page_runs);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), guard);
  for (void* p : small) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a free arena span is old enough at exactly 256 ticks") {
  // The walk that first finds the span too young holds the next one off
  // for 256 ticks, past the span's 256th: ticks that set no new peak start
  // no walk, so here the first walk comes at the span's 256th tick. A block
  // the system malloc serves (aligned past a page: not the arena), freed
  // at once, is a tick below the peak once one has been freed before it.
  Mm mm = make(trim_config());
  std::vector<void*> small;
  touch_every_class(mm.get(), &small);
  const auto heap_tick = [&mm] {
    void* h = fastalloc32_aligned_alloc(mm.get(), 8192, 100);
    REQUIRE(h != nullptr);
    fastalloc32_free(mm.get(), h);
  };
  const std::vector<void*> ptrs = written_blocks(mm.get(), 8, 256 * KiB, 0xAB);
  void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);  // the freed spans stay below the arena's top
  REQUIRE(guard != nullptr);
  heap_tick();  // its peak, then room below it
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  for (int i = 0; i < kColdTicks - 1; ++i) heap_tick();
  const fastalloc32_stats before = stats(mm.get());
  REQUIRE(before.sys_decommits == 0);
  // The 256th tick sets a new peak: its walk finds the span old enough.
  void* big = fastalloc32_aligned_alloc(mm.get(), 8192, 64 * KiB);
  REQUIRE(big != nullptr);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.sys_decommits >= 1);
  CHECK(s.footprint.current < before.footprint.current);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : {big, guard}) fastalloc32_free(mm.get(), p);
  for (void* p : small) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

namespace {

// Two 256 KiB blocks freed, below a guard block (a free span) or not (the
// arena's unused end): the trim's madvise fails while their pages are
// locked, and succeeds at a later new peak once they are unlocked.
void refused_then_given_back(bool guarded) {
  Mm mm = make(trim_config());
  std::vector<void*> small;
  touch_every_class(mm.get(), &small);
  void* keep = fastalloc32_malloc(mm.get(), 64 * KiB);
  const std::vector<void*> ptrs = written_blocks(mm.get(), 2, 256 * KiB, 0xAB);
  void* guard = guarded ? fastalloc32_malloc(mm.get(), 32 * KiB) : nullptr;
  REQUIRE(keep != nullptr);
  REQUIRE(at(ptrs[0], 256 * KiB) == ptrs[1]);  // page aligned (no slack for a colour), one after the other
  const uint64_t full = stats(mm.get()).footprint.current;
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  {
    // madvise fails on locked pages (a program may have locked its memory).
    LockedPages locked(ptrs[0], at(ptrs[1], 256 * KiB));
    errno = 0;
    grow_pool(mm.get(), kColdTicks + 1, &small);  // old enough, and a new peak
    fastalloc32_stats s = stats(mm.get());
    REQUIRE(s.sys_decommits >= 1);  // the calls were made, and failed
    CHECK(errno == 0);              // and left no error code behind: the mallocs succeeded
    CHECK(s.footprint.current == full + uint64_t(kColdTicks + 1) * kPage);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    // The span serves again with its bytes still there, and is freed again.
    void* again = fastalloc32_malloc(mm.get(), 512 * KiB);
    CHECK(again == ptrs[0]);
    CHECK(std::memchr(again, 0, 512 * KiB) == nullptr);
    CHECK(stats(mm.get()).footprint.current == s.footprint.current);
    fastalloc32_free(mm.get(), again);

    // Unlocked, a later new peak gives them back once they have aged again.
    locked.unlock();
    const uint64_t decommits = stats(mm.get()).sys_decommits;
    const int grown = grow_until_decommit(mm.get(), decommits, 4 * kColdTicks, &small);
    s = stats(mm.get());
    CHECK(s.sys_decommits > decommits);
    CHECK(s.footprint.current == full + uint64_t(kColdTicks + 1 + grown) * kPage - 512 * KiB);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  void* z = fastalloc32_calloc(mm.get(), 1, 512 * KiB);
  REQUIRE(z != nullptr);
  CHECK(all_zero(z, 512 * KiB));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : {z, keep, guard}) fastalloc32_free(mm.get(), p);
  for (void* p : small) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

}  // namespace

TEST_CASE("an arena trim the kernel refuses changes nothing, and a later one gives the pages back") {
  SUBCASE("a free span below the arena's top") {
    refused_then_given_back(true);
  }
  SUBCASE("the arena's unused end") {
    refused_then_given_back(false);
  }
}

TEST_CASE("free arena spans reused as fast as they are freed are never given back") {
  // A program at its footprint peak whose large blocks come and go: the
  // spans it frees are taken again within a few mallocs, while its pools
  // keep setting new peaks. Giving them back would cost a page fault for
  // every page on every reuse.
  Mm mm = make(trim_config());
  // Room for every round's blocks below a guard: they are spans, not the end.
  const std::vector<void*> room = written_blocks(mm.get(), 4, 220 * KiB, 1);
  void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);
  REQUIRE(guard != nullptr);
  for (void* p : room) fastalloc32_free(mm.get(), p);
  std::vector<void*> small;
  std::vector<void*> big;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 4; ++i) big.push_back(fastalloc32_malloc(mm.get(), (100 + 30 * (round % 5)) * KiB));
    small.push_back(fastalloc32_malloc(mm.get(), 4096));  // a new pool page: a new peak
    for (void* p : big) {
      CHECK(p < guard);
      fastalloc32_free(mm.get(), p);
    }
    big.clear();
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.sys_decommits == 0);
  CHECK(s.large_arena_allocs == 4 + 1 + 800);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), guard);
  for (void* p : small) fastalloc32_free(mm.get(), p);
}

TEST_CASE("the arena's end goes back at a trim at once, until the program takes it again") {
  // The same program with its blocks at the arena's top: freed, they are
  // the unused end, which the first trim gives back however young. The
  // next round takes those pages again (a page fault each), and so after
  // the second trim; the third learns from the two that the end must stay
  // free kColdTicks ticks first, and an end freed every round never does:
  // two system calls in all (without learning, one a trim: about 15).
  Mm mm = make(trim_config());
  std::vector<void*> small;
  std::vector<void*> big;
  int first_trim_round = -1;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 4; ++i) big.push_back(fastalloc32_malloc(mm.get(), (100 + 30 * (round % 5)) * KiB));
    small.push_back(fastalloc32_malloc(mm.get(), 4096));  // a new pool page: a new peak
    for (void* p : big) fastalloc32_free(mm.get(), p);
    big.clear();
    if (first_trim_round < 0 && stats(mm.get()).sys_decommits != 0) first_trim_round = round;
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(first_trim_round >= 0);
  CHECK(first_trim_round < 100);  // the first rise of the peak by a trim's step (256 KiB: 64 rounds)
  CHECK(s.sys_decommits == 2);
  CHECK(s.large_arena_allocs == 4000);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : small) fastalloc32_free(mm.get(), p);
}

namespace {

// 2 MiB of spans freed and given back by a trim; then, if `retake`, the
// same 2 MiB allocated again (the pages the trim gave back, a page fault
// each) and freed; then 2 MiB of other spans freed. Returns how many new
// pool pages (ticks, each a new peak once the footprint is back at it)
// pass before the other spans go back too.
int ticks_to_second_trim(Mm& mm, bool retake, std::vector<void*>* keep) {
  touch_every_class(mm.get(), keep);
  const std::vector<void*> ptrs = written_blocks(mm.get(), 8, 256 * KiB, 0xAB);
  keep->push_back(fastalloc32_malloc(mm.get(), 32 * KiB));  // a guard: the spans stay below the top
  const std::vector<void*> other = written_blocks(mm.get(), 8, 256 * KiB, 0xCD);
  keep->push_back(fastalloc32_malloc(mm.get(), 32 * KiB));
  REQUIRE((keep->end()[-1] && keep->end()[-2]));
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  grow_pool(mm.get(), kColdTicks + 1, keep);  // old enough, and a new peak
  const uint64_t first = stats(mm.get()).sys_decommits;
  REQUIRE(first >= 1);
  if (retake) {
    const std::vector<void*> again = written_blocks(mm.get(), 8, 256 * KiB, 0xEF);
    CHECK(again[0] == ptrs[0]);  // the span the trim gave back
    for (void* p : again) fastalloc32_free(mm.get(), p);
  }
  for (void* p : other) fastalloc32_free(mm.get(), p);
  const int grown = grow_until_decommit(mm.get(), first, 8 * kColdTicks, keep);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  return grown;
}

}  // namespace

TEST_CASE("a trim whose pages the program takes again makes the arena wait twice as long") {
  Mm mm = make(trim_config());
  std::vector<void*> keep;
  SUBCASE("pages left alone: the other spans go back once the footprint passes its peak again") {
    const int grown = ticks_to_second_trim(mm, false, &keep);
    CHECK(grown > 2 * kColdTicks);  // the 2 MiB the trim gave back, grown again first
    CHECK(grown < 3 * kColdTicks);
  }
  SUBCASE("pages taken again: the other spans must stay free 512 ticks, not 256") {
    // At 256 (the rule without learning) they went back after 504 pages.
    const int grown = ticks_to_second_trim(mm, true, &keep);
    CHECK(grown > 2 * kColdTicks + kColdTicks / 2);
    CHECK(grown < 4 * kColdTicks);  // a delay, not an end
  }
  for (void* p : keep) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

namespace {

// Four 512 KiB blocks at the arena's end, written and freed: 2 MiB of end.
void end_comes_and_goes(Mm& mm) {
  for (void* p : written_blocks(mm.get(), 4, 512 * KiB, 0x5A)) fastalloc32_free(mm.get(), p);
}

}  // namespace

TEST_CASE("a trim that finds the end's pages left alone clears the doubt the trim before it raised") {
  // Trims 1 and 2 give the end back and the program takes it again after
  // each: the end is doubted. Trim 3 finds trim 2's end left alone (it
  // gives back a free span instead), which clears the doubt, so after one
  // more retaken end (trims 4 and 5) the end is only doubted again, and
  // trim 5 still gives it back at once. Without the clearing, trim 5 would
  // learn the age of kColdTicks and keep the young end.
  Mm mm = make(trim_config());
  std::vector<void*> keep;
  touch_every_class(mm.get(), &keep);
  // A span below a guard for trim 3 (too small for the end's blocks).
  const std::vector<void*> span = written_blocks(mm.get(), 2, 192 * KiB, 0x11);
  keep.push_back(fastalloc32_malloc(mm.get(), 32 * KiB));
  REQUIRE(keep.back() != nullptr);
  uint64_t decommits = 0;
  // New pool pages until the next trim; how many.
  const auto next_trim = [&](const char* what) {
    INFO(what);
    const int grown = grow_until_decommit(mm.get(), decommits, 8 * kColdTicks, &keep);
    const uint64_t now = stats(mm.get()).sys_decommits;
    REQUIRE(now > decommits);
    decommits = now;
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    return grown;
  };
  const auto end_held = [&mm] { return stats(mm.get()).footprint_now.large_arena - 32 * KiB; };

  end_comes_and_goes(mm);  // the span stays live: the end alone
  next_trim("trim 1: the young end");
  CHECK(end_held() == 2 * 192 * KiB);
  end_comes_and_goes(mm);  // taken again
  next_trim("trim 2: the end again (the first doubt)");
  CHECK(end_held() == 2 * 192 * KiB);
  for (void* p : span) fastalloc32_free(mm.get(), p);
  next_trim("trim 3: the span; trim 2's end was left alone");
  CHECK(end_held() == 0);
  end_comes_and_goes(mm);
  next_trim("trim 4: the end, taken after trim 3, which gave back none");
  CHECK(end_held() == 0);
  // Taken again, and freed 32 ticks after trim 4: at trim 5's first walk,
  // kColdTicks after trim 4, the end is too young for an age of kColdTicks,
  // which would keep it to the walk after, kColdTicks later.
  const std::vector<void*> late = written_blocks(mm.get(), 4, 512 * KiB, 0x5A);
  const int held_for = grow_pool(mm.get(), 32, &keep);
  for (void* p : late) fastalloc32_free(mm.get(), p);
  CHECK(stats(mm.get()).footprint_now.large_arena == 2 * 1024 * KiB + 32 * KiB);
  // Trim 5 learns from trim 4's end, taken again: a doubt, not an age.
  const int grown = next_trim("trim 5: the end still goes back at once");
  CHECK(held_for + grown < kColdTicks + kColdTicks / 4);
  CHECK(end_held() == 0);
  for (void* p : keep) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a trim of less than kTrimBytes teaches the arena nothing, even when its pages come back") {
  Mm mm = make(trim_config());
  std::vector<void*> keep;
  touch_every_class(mm.get(), &keep);
  const std::vector<void*> small = written_blocks(mm.get(), 2, 64 * KiB, 0xAB);
  keep.push_back(fastalloc32_malloc(mm.get(), 32 * KiB));  // guards: the spans stay apart, below the top
  const std::vector<void*> other = written_blocks(mm.get(), 8, 256 * KiB, 0xCD);
  keep.push_back(fastalloc32_malloc(mm.get(), 32 * KiB));
  REQUIRE((keep.end()[-1] && keep.end()[-2]));
  for (void* p : small) fastalloc32_free(mm.get(), p);
  grow_pool(mm.get(), kColdTicks, &keep);  // 128 KiB free: too little for a trim
  REQUIRE(stats(mm.get()).sys_decommits == 0);
  // 2 MiB more free, young: the trim the next new peak runs gives back the
  // old 128 KiB alone.
  for (void* p : other) fastalloc32_free(mm.get(), p);
  const uint64_t before = stats(mm.get()).footprint.current;
  grow_pool(mm.get(), 1, &keep);
  const uint64_t first = stats(mm.get()).sys_decommits;
  REQUIRE(first >= 1);
  CHECK(stats(mm.get()).footprint.current == before + kPage - 128 * KiB);
  // Every page of it taken again: at 256 KiB or more that doubles the age.
  const std::vector<void*> again = written_blocks(mm.get(), 2, 64 * KiB, 0xEF);
  CHECK(again[0] == small[0]);
  keep.insert(keep.end(), again.begin(), again.end());
  // The 2 MiB go back at the next trim, 256 ticks on, not 512.
  const int grown = grow_until_decommit(mm.get(), first, 4 * kColdTicks, &keep);
  CHECK(grown < 2 * kColdTicks);  // 765 with the age doubled
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : keep) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("less than kTrimBytes of free arena pages is not worth a trim") {
  Mm mm = make(trim_config());
  std::vector<void*> small;
  touch_every_class(mm.get(), &small);
  const uint64_t pools = stats(mm.get()).footprint.current;
  void* a = fastalloc32_malloc(mm.get(), 128 * KiB);
  void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);
  REQUIRE((a && guard));
  std::memset(a, 1, 128 * KiB);
  fastalloc32_free(mm.get(), a);
  grow_pool(mm.get(), 2 * kColdTicks, &small);  // new peaks, long after the free
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.sys_decommits == 0);
  CHECK(s.footprint.current == pools + uint64_t(2 * kColdTicks) * kPage + 128 * KiB + 32 * KiB);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), guard);
  for (void* p : small) fastalloc32_free(mm.get(), p);
}

TEST_CASE("a map hook's arena is never trimmed: its memory is not the library's to advise") {
  SystemSpy spy;
  fastalloc32_config c = trim_config();
  spy.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> small;
    touch_every_class(mm.get(), &small);
    const uint64_t pools = stats(mm.get()).footprint.current;
    std::vector<void*> ptrs;
    for (int i = 0; i < 8; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 256 * KiB));
    void* guard = fastalloc32_malloc(mm.get(), 32 * KiB);
    REQUIRE(guard != nullptr);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    grow_pool(mm.get(), 2 * kColdTicks, &small);  // new peaks, long after the free
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.sys_decommits == 0);
    CHECK(s.footprint.current == pools + uint64_t(2 * kColdTicks) * kPage + 8 * 256 * KiB + 32 * KiB);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    fastalloc32_free(mm.get(), guard);
    for (void* p : small) fastalloc32_free(mm.get(), p);
  }
  CHECK(spy.balanced());
}
