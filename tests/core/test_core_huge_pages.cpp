// SPDX-License-Identifier: GPL-3.0-or-later
// Huge pages for large classes: a class that has filled a huge page's worth
// of ordinary pages asks the kernel for huge pages (MADV_HUGEPAGE) for each
// further whole huge page of its stride before handing out a block there,
// and the footprint counts each such page whole. Only with the default mmap,
// without trim_pools, and when the kernel grants transparent huge pages to a
// range that asks. The tests read the kernel's setting themselves and check
// what must hold either way.
//
// Below that zone (through the whole stride when the class has none:
// huge_pages 0, trim_pools, or the kernel's off), with the default mmap, a
// class's ordinary pages are made present a run at a time
// (MADV_POPULATE_WRITE) once the class holds more than 64 KiB: runs of
// 16 KiB up to 256 KiB, of 64 KiB beyond, each counted whole
// (pool_page_runs counts the calls). The large arena makes a block's pages
// present the same way when two or more of them hold no memory yet
// (arena_page_runs). A kernel before Linux 5.14 refuses the first call,
// and the manager stops asking.
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "page_helpers.hpp"
#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr uint32_t kClass64 = 3;  // the default's classes: 16, 32, 48, 64, ...

bool asked_for_huge_pages(const void* p) {
  return has_flag(vm_flags(p), "hg");
}

// 64-byte blocks, each written, until class 64's blocks reach `bytes`.
std::vector<void*> fill_class64(fastalloc32_mm* mm, size_t bytes) {
  std::vector<void*> out;
  for (size_t done = 0; done < bytes; done += 64) {
    void* p = fastalloc32_malloc(mm, 64);
    REQUIRE(p != nullptr);
    std::memset(p, 0x5A, 64);
    out.push_back(p);
  }
  return out;
}

void free_all(fastalloc32_mm* mm, const std::vector<void*>& ptrs) {
  for (void* p : ptrs) fastalloc32_free(mm, p);
}

}  // namespace

TEST_CASE("huge pages: a class past four huge pages' worth of blocks asks for them, and counts them whole") {
  const size_t huge = granted_huge_page();
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  // 12 MiB of blocks: past the zone's start (four huge pages in, 8 MiB)
  // and into at least one huge page of it.
  const std::vector<void*> blocks = fill_class64(mm.get(), 12 << 20);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  const uint64_t handed_out = class_stats(mm.get(), kClass64).touched_bytes;
  if (huge == 0) {
    // The kernel's huge pages are off: ordinary pages in runs of 64 KiB.
    CHECK(s.pool_huge_advices == 0);
    CHECK(s.footprint_now.pools < handed_out + (64 << 10) + 4096);
  } else {
    CHECK(s.pool_huge_advices >= 1);
    // The first blocks lie in ordinary pages; the last in a range that
    // asked for huge pages, counted to its end: ahead of the blocks, by
    // less than a huge page.
    CHECK_FALSE(asked_for_huge_pages(blocks.front()));
    CHECK(asked_for_huge_pages(blocks.back()));
    CHECK(s.footprint_now.pools > handed_out);
    CHECK(s.footprint_now.pools <= handed_out + huge + 4096);
    // The pools start on a huge page, so the zone starts four huge pages
    // into the class's stride wherever the reservation lies: the class's
    // 12 MiB (and its colour, under a page) count to the end of the
    // stride's seventh huge page, in every run.
    if (huge == (size_t(2) << 20)) CHECK(s.footprint_now.pools == (size_t(14) << 20));
  }
  // The footprint's parts still add up, and freeing keeps the pages counted
  // (as without huge pages: no trim).
  free_all(mm.get(), blocks);
  const fastalloc32_stats after = stats(mm.get());
  CHECK(after.footprint_now.pools == s.footprint_now.pools);
  CHECK(after.pool_huge_advices == s.pool_huge_advices);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("huge pages: a class within four huge pages' worth of blocks keeps ordinary pages") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  // 7 MiB: past the first huge page's worth (where the zone began until
  // the classes of a few MiB were shown to gain nothing from it), short of
  // the fourth.
  const std::vector<void*> blocks = fill_class64(mm.get(), 7 << 20);
  CHECK(stats(mm.get()).pool_huge_advices == 0);
  CHECK_FALSE(asked_for_huge_pages(blocks.back()));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), blocks);
}

TEST_CASE("huge pages: never with trim_pools, whose trims would give a class's top huge page back whole") {
  fastalloc32_config c;
  REQUIRE(fastalloc32_config_preset(&c, "compact") == FASTALLOC32_OK);
  REQUIRE(c.trim_pools != 0);
  Mm mm = make(c);
  REQUIRE(mm);
  const std::vector<void*> blocks = fill_class64(mm.get(), 12 << 20);
  CHECK(stats(mm.get()).pool_huge_advices == 0);
  CHECK_FALSE(asked_for_huge_pages(blocks.back()));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), blocks);
}

TEST_CASE("huge pages: never with a map hook, whose memory is not the manager's to advise") {
  SystemSpy spy;
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  spy.attach(c);
  {
    Mm mm = make(c);
    REQUIRE(mm);
    const std::vector<void*> blocks = fill_class64(mm.get(), 12 << 20);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.pool_huge_advices == 0);
    CHECK(s.footprint_now.pools < class_stats(mm.get(), kClass64).touched_bytes + 2 * 4096);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    free_all(mm.get(), blocks);
  }
  CHECK(spy.balanced());
}

TEST_CASE("page runs: past 64 KiB a class's pages are made present a run at a time, and counted whole") {
  const bool populates = kernel_populates();
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  Class64 k;
  REQUIRE(k.fill_past(mm.get(), 64 << 10));  // the last block reaches into the first run
  const fastalloc32_stats s = stats(mm.get());
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  // With or without the kernel's huge pages: the runs lie below the
  // huge zone, if any.
  CHECK(s.pool_page_runs == 1);
  // Counted to the end of the run, 16 KiB: ahead of the last block's page.
  CHECK(s.footprint_now.pools == (80 << 10));
  CHECK(k.written_end() < s.footprint_now.pools);
  const auto* run_start = reinterpret_cast<const char*>(k.start) + (64 << 10);
  if (populates) {
    // The run's pages are present before the program writes them: the
    // pages past the last block's were never touched by this test.
    CHECK(resident_bytes(run_start, 16 << 10) == (16 << 10));
  }
  // On to 300 KiB: the runs of 16 KiB up to 256 KiB, then one of 64 KiB.
  REQUIRE(k.fill_past(mm.get(), 300 << 10));
  const fastalloc32_stats t = stats(mm.get());
  CHECK(t.footprint_now.pools == (320 << 10));
  // A kernel without the advice refuses the first run with EINVAL, and
  // the manager stops asking; the pages are still counted by the runs.
  CHECK(t.pool_page_runs == (populates ? 12 + 1 : 1));
  if (populates) {
    const auto* last_run = reinterpret_cast<const char*>(k.start) + (256 << 10);
    CHECK(resident_bytes(last_run, 64 << 10) == (64 << 10));
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), k.blocks);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("page runs: a class within 64 KiB takes its pages one by one") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  Class64 k;
  REQUIRE(k.fill_past(mm.get(), 60 << 10));
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.pool_page_runs == 0);
  CHECK(s.footprint_now.pools == k.written_end());
  // The page after the last block's is untouched: nothing made present
  // ahead. (With the kernel's huge pages "always", its first fault may
  // have brought a whole huge page: no telling.)
  if (!thp_always())
    CHECK(resident_bytes(reinterpret_cast<const char*>(k.start) + k.written_end(), 4096) == 0);
  free_all(mm.get(), k.blocks);
}

namespace {

// A manager of config c whose class 64 passes 300 KiB without a run (its
// pages counted as the blocks reach them, one by one) and whose large
// arena hands out a new block without one.
void expect_no_runs(const fastalloc32_config& c) {
  Mm mm = make(c);
  REQUIRE(mm);
  Class64 k;
  REQUIRE(k.fill_past(mm.get(), 300 << 10));
  void* large = fastalloc32_malloc(mm.get(), 256 << 10);
  REQUIRE(large != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), large) == FASTALLOC32_KIND_LARGE);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.pool_page_runs == 0);
  CHECK(s.arena_page_runs == 0);
  CHECK(s.footprint_now.pools == k.written_end());
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), large);
  free_all(mm.get(), k.blocks);
}

}  // namespace

TEST_CASE("page runs, in the pools and the arena: never with a map hook, as huge pages") {
  SystemSpy spy;
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  spy.attach(c);
  expect_no_runs(c);
  CHECK(spy.balanced());
}

TEST_CASE("page runs with trim_pools (compact): a trim keeps the run its kept blocks end in") {
  const bool populates = kernel_populates();
  fastalloc32_config c;
  REQUIRE(fastalloc32_config_preset(&c, "compact") == FASTALLOC32_OK);
  Mm mm = make(c);
  REQUIRE(mm);
  Class64 k;
  REQUIRE(k.fill_past(mm.get(), 300 << 10));
  fastalloc32_stats s = stats(mm.get());
  // Runs as with the default, and no huge pages.
  CHECK(s.pool_huge_advices == 0);
  CHECK(s.footprint_now.pools == (320 << 10));
  CHECK(s.pool_page_runs == (populates ? 12 + 1 : 1));
  // Every block past the first 100 KiB of the stride freed; then another
  // class grows, which sets a new footprint peak and so trims.
  size_t kept = 0;
  while (reinterpret_cast<uintptr_t>(k.blocks[kept]) + 64 - k.start <= (100 << 10)) ++kept;
  for (size_t i = kept; i < k.blocks.size(); ++i) fastalloc32_free(mm.get(), k.blocks[i]);
  k.blocks.resize(kept);
  std::vector<void*> other;
  while (stats(mm.get()).pool_trims == 0 && other.size() < 4096) {
    other.push_back(fastalloc32_malloc(mm.get(), 1024));
    REQUIRE(other.back() != nullptr);
  }
  REQUIRE(stats(mm.get()).pool_trims == 1);
  CHECK(class_stats(mm.get(), kClass64).touched_bytes == kept * 64);
  CHECK(k.intact());
  // Kept: the run of 16 KiB the last kept block ends in, [96, 112) KiB of
  // the stride. Given back: the runs past it, to 320 KiB.
  const auto* stride = reinterpret_cast<const char*>(k.start);
  CHECK(resident_bytes(stride + (112 << 10), (320 - 112) << 10) == 0);
  if (populates) CHECK(resident_bytes(stride + (100 << 10), 12 << 10) == (12 << 10));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // Growing back: fresh blocks read zero, in the kept run (zeroed by hand)
  // and past it (the kernel's new pages), and the runs past 112 KiB are
  // made present in one call each again.
  const uint64_t runs = stats(mm.get()).pool_page_runs;
  bool zero = true;
  while (reinterpret_cast<uintptr_t>(k.blocks.back()) + 64 - k.start <= (130 << 10)) {
    void* p = fastalloc32_malloc(mm.get(), 64);
    REQUIRE(p != nullptr);
    zero = zero && all_zero(p, 64);
    k.blocks.push_back(p);
  }
  CHECK(zero);
  CHECK(stats(mm.get()).pool_page_runs == (populates ? runs + 2 : runs));  // [112, 128) and [128, 144) KiB
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : other) fastalloc32_free(mm.get(), p);
  free_all(mm.get(), k.blocks);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("arena page runs: a large block's new pages are made present in one call, reused ones not again") {
  const bool populates = kernel_populates();
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  void* p = fastalloc32_malloc(mm.get(), 256 << 10);
  REQUIRE(p != nullptr);
  REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
  const auto* first_page = reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095));
  CHECK(stats(mm.get()).arena_page_runs == 1u);
  // Present before anything is written into it: this test never touched it.
  if (populates) CHECK(resident_bytes(first_page, 256 << 10) == (256 << 10));
  // Freed and asked for again: the same pages, present already, no call.
  fastalloc32_free(mm.get(), p);
  void* q = fastalloc32_malloc(mm.get(), 256 << 10);
  REQUIRE(q != nullptr);
  CHECK(stats(mm.get()).arena_page_runs == 1u);
  // Grown in place at the arena's end: the new pages in one more call
  // (unless the kernel refused the first, which stops the asking).
  void* r = fastalloc32_realloc(mm.get(), q, 512 << 10);
  REQUIRE(r == q);
  CHECK(stats(mm.get()).arena_page_runs == (populates ? 2u : 1u));
  if (populates) CHECK(resident_bytes(first_page + (256 << 10), 256 << 10) == (256 << 10));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), r);
}

TEST_CASE("page runs: a block of more than a page has its pages made present at once, even below 64 KiB") {
  const bool populates = kernel_populates();
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  void* p = fastalloc32_malloc(mm.get(), 16 << 10);  // the 16 KiB class's first block
  REQUIRE(p != nullptr);
  REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(stats(mm.get()).pool_page_runs == 1u);
  if (populates) {
    // Nothing was written into the block: its pages are present all the same.
    const auto* first = reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095));
    CHECK(resident_bytes(first, 16 << 10) == (16 << 10));
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), p);
}

TEST_CASE("huge_pages 0: a large class keeps ordinary pages, made present in runs of 64 KiB to its end") {
  const bool populates = kernel_populates();
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  CHECK(c.huge_pages == 1);  // the default asks for them
  c.huge_pages = 0;
  Mm mm = make(c);
  REQUIRE(mm);
  fastalloc32_config got;
  REQUIRE(fastalloc32_get_config(mm.get(), &got) == FASTALLOC32_OK);
  CHECK(got.huge_pages == 0);
  // 12 MiB of blocks, past where the default's huge zone would begin.
  Class64 k;
  REQUIRE(k.fill_past(mm.get(), 12 << 20));
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.pool_huge_advices == 0);
  CHECK_FALSE(asked_for_huge_pages(k.blocks.back()));
  // Counted to the end of the last run of 64 KiB, and no further: under
  // 64 KiB ahead of the blocks, where a huge page could be 2 MiB.
  const size_t run = 64 << 10;
  const size_t counted = (k.written_end() + run - 1) / run * run;
  CHECK(s.footprint_now.pools == counted);
  // 12 runs of 16 KiB to 256 KiB, then one of 64 KiB each.
  CHECK(s.pool_page_runs == (populates ? 12 + (counted - (256 << 10)) / run : 1));
  if (populates) {
    // The last run is present whole, ahead of the blocks written.
    const auto* last_run = reinterpret_cast<const char*>(k.start) + counted - run;
    CHECK(resident_bytes(last_run, run) == run);
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), k.blocks);
  CHECK(stats(mm.get()).footprint_now.pools == counted);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
