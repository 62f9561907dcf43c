// SPDX-License-Identifier: GPL-3.0-or-later
// Huge pages for large classes: a class that has filled a huge page's worth
// of ordinary pages asks the kernel for huge pages (MADV_HUGEPAGE) for each
// further whole huge page of its stride before handing out a block there,
// and the footprint counts each such page whole. Only with the default mmap,
// without trim_pools, and when the kernel grants transparent huge pages to a
// range that asks. The tests read the kernel's setting themselves and check
// what must hold either way.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr uint32_t kClass64 = 3;  // the default's classes: 16, 32, 48, 64, ...

// The transparent huge page size when a range that asks gets them, else 0.
size_t granted_huge_page() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode((std::istreambuf_iterator<char>(enabled)), std::istreambuf_iterator<char>());
  if (mode.empty() || mode.find("[never]") != std::string::npos) return 0;
  std::ifstream size_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  size_t size = 0;
  return size_file >> size ? size : 0;
}

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

TEST_CASE("huge pages: a class past a huge page's worth of blocks asks for them, and counts them whole") {
  const size_t huge = granted_huge_page();
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  // 6 MiB of blocks: past the zone's start (one to two huge pages in) and
  // into at least one huge page of it.
  const std::vector<void*> blocks = fill_class64(mm.get(), 6 << 20);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  const uint64_t handed_out = class_stats(mm.get(), kClass64).touched_bytes;
  if (huge == 0) {
    // The kernel's huge pages are off: ordinary pages, as before.
    CHECK(s.pool_huge_advices == 0);
    CHECK(s.footprint_now.pools < handed_out + 2 * 4096);
  } else {
    CHECK(s.pool_huge_advices >= 1);
    // The first blocks lie in ordinary pages; the last in a range that
    // asked for huge pages, counted to its end: ahead of the blocks, by
    // less than a huge page.
    CHECK_FALSE(asked_for_huge_pages(blocks.front()));
    CHECK(asked_for_huge_pages(blocks.back()));
    CHECK(s.footprint_now.pools > handed_out);
    CHECK(s.footprint_now.pools <= handed_out + huge + 4096);
    // The pools start on a huge page, so the zone starts one huge page into
    // the class's stride wherever the reservation lies: the class's 6 MiB
    // (and its colour, under a page) count to the end of the stride's
    // fourth huge page, in every run.
    if (huge == (size_t(2) << 20)) CHECK(s.footprint_now.pools == (size_t(8) << 20));
  }
  // The footprint's parts still add up, and freeing keeps the pages counted
  // (as without huge pages: no trim).
  free_all(mm.get(), blocks);
  const fastalloc32_stats after = stats(mm.get());
  CHECK(after.footprint_now.pools == s.footprint_now.pools);
  CHECK(after.pool_huge_advices == s.pool_huge_advices);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("huge pages: a class within a huge page's worth of blocks keeps ordinary pages") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm);
  const std::vector<void*> blocks = fill_class64(mm.get(), 1 << 20);
  CHECK(stats(mm.get()).pool_huge_advices == 0);
  CHECK_FALSE(asked_for_huge_pages(blocks.back()));
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  free_all(mm.get(), blocks);
}

TEST_CASE("huge pages: never with trim_pools, whose trims give back single pages") {
  fastalloc32_config c;
  REQUIRE(fastalloc32_config_preset(&c, "compact") == FASTALLOC32_OK);
  REQUIRE(c.trim_pools != 0);
  Mm mm = make(c);
  REQUIRE(mm);
  const std::vector<void*> blocks = fill_class64(mm.get(), 6 << 20);
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
    const std::vector<void*> blocks = fill_class64(mm.get(), 6 << 20);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.pool_huge_advices == 0);
    CHECK(s.footprint_now.pools < class_stats(mm.get(), kClass64).touched_bytes + 2 * 4096);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    free_all(mm.get(), blocks);
  }
  CHECK(spy.balanced());
}
