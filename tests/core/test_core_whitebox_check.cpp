// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_check is the oracle of most core tests; these show that it
// can fail. A white-box test: it includes the manager's internal header
// (core/src/manager.hpp) to break one invariant at a time in a real
// manager, checks that fastalloc32_check returns FASTALLOC32_E_CORRUPT and
// reports it through the error callback, then repairs the manager and
// checks that it passes again (so it was that invariant that failed).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "fastalloc32.h"
#include "manager.hpp"

namespace {

struct Errors {
  std::vector<fastalloc32_status> statuses;
  std::vector<const void*> ptrs;
  static void hook(fastalloc32_status status, const void* ptr, void* user) {
    auto* self = static_cast<Errors*>(user);
    self->statuses.push_back(status);
    self->ptrs.push_back(ptr);
  }
};

// A default manager whose errors go to `errors`.
struct Fixture {
  Errors errors;
  fastalloc32_mm* mm = nullptr;

  Fixture() {
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    c.on_error = &Errors::hook;
    c.error_user = &errors;
    fastalloc32_status status = FASTALLOC32_E_CORRUPT;
    mm = fastalloc32_create_with(&c, &status);
    REQUIRE(mm != nullptr);
    REQUIRE(status == FASTALLOC32_OK);
  }
  ~Fixture() { fastalloc32_destroy(mm); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  // Class 0 (16-byte blocks), where every request below comes from.
  fa32::core::PoolClass& cls() { return mm->classes[0]; }
  uint32_t index_of(const void* p) {
    const auto off = static_cast<size_t>(static_cast<const char*>(p) - cls().base);
    REQUIRE(off % cls().block_size == 0);
    return static_cast<uint32_t>(off / cls().block_size);
  }

  // The manager as it is passes the check and reports nothing.
  void expect_intact() {
    CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
    CHECK(errors.statuses.empty());
  }
  // The manager as it is fails the check, which reports it once.
  void expect_corrupt() {
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    REQUIRE(errors.statuses.size() == 1);
    CHECK(errors.statuses[0] == FASTALLOC32_E_CORRUPT);
    CHECK(errors.ptrs[0] == nullptr);
    CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_CORRUPT);
    errors.statuses.clear();
    errors.ptrs.clear();
  }
};

}  // namespace

TEST_CASE("check: a cached block with a nonzero live-size entry is corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  fastalloc32_free(f.mm, p);
  const uint32_t index = f.index_of(p);
  REQUIRE(f.cls().cache_count() == 1);
  REQUIRE(f.cls().cache[0] == index);  // freed into the cache
  f.expect_intact();

  f.cls().entry(index) = 17;  // "live, 16 bytes requested", yet cached
  f.expect_corrupt();
  f.cls().entry(index) = 0;
  f.expect_intact();
}

TEST_CASE("check: a block listed twice in the cache is corrupt") {
  Fixture f;
  void* a = fastalloc32_malloc(f.mm, 16);
  void* b = fastalloc32_malloc(f.mm, 16);
  REQUIRE((a != nullptr && b != nullptr));
  fastalloc32_free(f.mm, a);
  fastalloc32_free(f.mm, b);
  REQUIRE(f.cls().cache_count() == 2);
  REQUIRE(f.cls().cache[1] == f.index_of(b));
  f.expect_intact();

  f.cls().cache[1] = f.index_of(a);
  f.expect_corrupt();
  // The walk marks listed blocks while it runs: it left none behind.
  CHECK(f.cls().entry(f.index_of(a)) == 0);
  f.cls().cache[1] = f.index_of(b);
  f.expect_intact();
}

TEST_CASE("check: a live-size entry at or past bump is corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  const uint32_t bump = f.cls().bump;
  REQUIRE(bump < f.cls().capacity);  // an entry the check reads
  f.expect_intact();

  f.cls().entry(bump) = 1;
  f.expect_corrupt();
  f.cls().entry(bump) = 0;
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE("check: a free list whose bitmap, summary or cache disagree is corrupt") {
  Fixture f;
  // 4096 + 1 frees overflow the default cache: half of it moves to the free
  // list's bitmap.
  const uint32_t capacity = f.cls().cache_capacity;
  std::vector<void*> ptrs;
  for (uint32_t i = 0; i <= capacity; ++i) ptrs.push_back(fastalloc32_malloc(f.mm, 16));
  for (void* p : ptrs) fastalloc32_free(f.mm, p);
  fa32::core::PoolClass& k = f.cls();
  REQUIRE(k.free_count == capacity / 2);
  // The oldest frees moved: blocks 0 .. capacity/2 - 1, in words 0 .. 31.
  REQUIRE(k.free_bits[0] == ~uint64_t(0));
  REQUIRE(k.free_summary[0] == (uint64_t(1) << 32) - 1);
  f.expect_intact();

  // A word of the bitmap that the summary does not name.
  k.free_summary[0] &= ~uint64_t(1);
  f.expect_corrupt();
  k.free_summary[0] |= 1;
  f.expect_intact();

  // A summary bit for a word that is all zero.
  k.free_summary[0] |= uint64_t(1) << 40;
  f.expect_corrupt();
  k.free_summary[0] &= ~(uint64_t(1) << 40);
  f.expect_intact();

  // A block on the free list and in the cache.
  const uint32_t cached = k.cache[0];
  k.cache[0] = 3;
  f.expect_corrupt();
  CHECK(k.entry(3) == 0);  // the walk's marks are gone
  k.cache[0] = cached;
  f.expect_intact();

  // A block on the free list that is live.
  k.entry(5) = 17;
  f.expect_corrupt();
  k.entry(5) = 0;
  f.expect_intact();

  // A block on the free list that free_low says is not there.
  const uint32_t low = k.free_low;
  k.free_low = 1;
  f.expect_corrupt();
  k.free_low = low;
  f.expect_intact();

  // One more bit than free_count counts.
  k.free_bits[40] |= 1;
  k.free_summary[0] |= uint64_t(1) << 40;
  f.expect_corrupt();
  k.free_bits[40] = 0;
  k.free_summary[0] &= ~(uint64_t(1) << 40);
  f.expect_intact();
}

TEST_CASE("check: a counter off by one is corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  void* q = fastalloc32_malloc(f.mm, 16);
  REQUIRE((p != nullptr && q != nullptr));
  fastalloc32_free(f.mm, q);
  f.expect_intact();

  SUBCASE("blocks handed out") {
    f.cls().allocs++;
    f.expect_corrupt();
    f.cls().allocs--;
  }
  SUBCASE("bytes requested") {
    f.cls().requested_in++;
    f.expect_corrupt();
    f.cls().requested_in--;
  }
  SUBCASE("mallocs of the large path") {
    f.mm->counters.large_allocs++;
    f.expect_corrupt();
    f.mm->counters.large_allocs--;
  }
  SUBCASE("blocks a trim took off the top") {
    f.cls().counters.trimmed_blocks++;
    f.expect_corrupt();
    f.cls().counters.trimmed_blocks--;
  }
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE("check: bump above its highest, or a highest past the pool, is corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  f.expect_intact();
  SUBCASE("bump above bump_peak") {
    f.cls().bump_peak--;
    f.expect_corrupt();
    f.cls().bump_peak++;
  }
  SUBCASE("bump_peak past capacity") {
    const uint32_t was = f.cls().bump_peak;
    f.cls().bump_peak = f.cls().capacity + 1;
    f.expect_corrupt();
    f.cls().bump_peak = was;
  }
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE("check: a fallback slab whose free list and live count disagree is corrupt") {
  fastalloc32_config c;
  fastalloc32_config_preset(&c, "original");
  c.pool_size = 128;  // one block of the 128-byte class: the next falls back
  fastalloc32_mm* mm = fastalloc32_create_with(&c, nullptr);
  REQUIRE(mm != nullptr);
  void* pool = fastalloc32_malloc(mm, 100);
  void* a = fastalloc32_malloc(mm, 100);
  void* b = fastalloc32_malloc(mm, 100);
  REQUIRE(fastalloc32_kind_of(mm, b) == FASTALLOC32_KIND_FALLBACK);
  fastalloc32_free(mm, a);
  REQUIRE(mm->slabs.count == 1);
  fa32::core::FallbackSlab* s = mm->slabs.sorted[0];
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);

  SUBCASE("live count") {
    s->live++;
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    s->live--;
  }
  REQUIRE(s->free_count == 1);
  const uint32_t freed = s->free_stack()[0];
  SUBCASE("a freed block marked live") {
    const uint32_t saved = s->state[freed];
    s->state[freed] = 100;
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    s->state[freed] = saved;
  }
  SUBCASE("the free stack naming the live block") {
    s->free_stack()[0] = freed == 0 ? 1 : 0;
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    s->free_stack()[0] = freed;
  }
  SUBCASE("a block on the free stack twice") {
    // b is freed too, then its index is overwritten with a's again.
    fastalloc32_free(mm, b);
    REQUIRE(s->free_count == 2);
    const uint32_t saved = s->free_stack()[1];
    s->free_stack()[1] = s->free_stack()[0];
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    s->free_stack()[1] = saved;
    CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
    b = fastalloc32_malloc(mm, 100);
    REQUIRE(fastalloc32_kind_of(mm, b) == FASTALLOC32_KIND_FALLBACK);
  }
  SUBCASE("requested size beyond the block") {
    const uint32_t i = freed == 0 ? 1 : 0;  // the live one
    const uint32_t saved = s->state[i];
    s->state[i] = 129;
    CHECK(fastalloc32_check(mm) == FASTALLOC32_E_CORRUPT);
    s->state[i] = saved;
  }
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  fastalloc32_free(mm, b);
  fastalloc32_free(mm, pool);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  fastalloc32_destroy(mm);
}

TEST_CASE("check: a released arena page that is live, or a miscounted one, is corrupt") {
  Fixture f;
  void* live = fastalloc32_malloc(f.mm, 64 * 1024);
  void* freed = fastalloc32_malloc(f.mm, 64 * 1024);
  void* guard = fastalloc32_malloc(f.mm, 64 * 1024);
  REQUIRE(fastalloc32_kind_of(f.mm, live) == FASTALLOC32_KIND_LARGE);
  fastalloc32_free(f.mm, freed);
  fa32::core::Arena& a = f.mm->arena;
  REQUIRE(a.released != nullptr);
  f.expect_intact();
  const auto page_of = [&](const void* p) {
    return static_cast<uint32_t>(static_cast<size_t>(static_cast<const char*>(p) - a.base) / 4096);
  };
  SUBCASE("a live page marked released") {
    const uint32_t pg = page_of(live);
    a.released[pg / 64] |= uint64_t(1) << (pg % 64);
    a.released_pages++;
    f.expect_corrupt();
    a.released[pg / 64] &= ~(uint64_t(1) << (pg % 64));
    a.released_pages--;
  }
  SUBCASE("a free page marked released but not counted") {
    const uint32_t pg = page_of(freed);
    a.released[pg / 64] |= uint64_t(1) << (pg % 64);
    f.expect_corrupt();
    a.released[pg / 64] &= ~(uint64_t(1) << (pg % 64));
  }
  SUBCASE("a page past committed marked released") {
    const uint32_t pg = a.committed + 1;
    a.released[pg / 64] |= uint64_t(1) << (pg % 64);
    a.released_pages++;
    f.expect_corrupt();
    a.released[pg / 64] &= ~(uint64_t(1) << (pg % 64));
    a.released_pages--;
  }
  f.expect_intact();
  fastalloc32_free(f.mm, live);
  fastalloc32_free(f.mm, guard);
  f.expect_intact();
}

TEST_CASE("check: an arena age that is not 256 doubled, or past its cap, is corrupt") {
  Fixture f;
  fa32::core::Arena& a = f.mm->arena;
  CHECK(a.cold_ticks == fa32::core::kColdTicks);
  f.expect_intact();
  for (const uint32_t bad :
       {fa32::core::kColdTicks / 2, fa32::core::kColdTicks * 3, fa32::core::kMaxColdTicks * 2}) {
    CAPTURE(bad);
    a.cold_ticks = bad;
    f.expect_corrupt();
  }
  a.cold_ticks = fa32::core::kMaxColdTicks;  // learnt as far as it goes
  f.expect_intact();
  a.cold_ticks = fa32::core::kColdTicks;
}

TEST_CASE(
    "check: an age of the arena's end that is neither 0 nor 256 doubled, or an end past the arena, is "
    "corrupt") {
  Fixture f;
  fa32::core::Arena& a = f.mm->arena;
  CHECK(a.end_cold_ticks == fa32::core::kEndColdTicks);
  f.expect_intact();
  for (const uint32_t bad :
       {uint32_t(1), fa32::core::kColdTicks / 2, fa32::core::kColdTicks * 3, fa32::core::kMaxColdTicks * 2}) {
    CAPTURE(bad);
    a.end_cold_ticks = bad;
    f.expect_corrupt();
  }
  for (const uint32_t learnt :
       {fa32::core::kColdTicks, fa32::core::kColdTicks * 2, fa32::core::kMaxColdTicks}) {
    CAPTURE(learnt);
    a.end_cold_ticks = learnt;
    f.expect_intact();
  }
  a.end_cold_ticks = fa32::core::kEndColdTicks;
  void* big = fastalloc32_malloc(f.mm, 64 * 1024);  // the arena's reservation
  REQUIRE(big != nullptr);
  REQUIRE(a.base != nullptr);
  a.end_trimmed_to = a.page_count + 1;
  f.expect_corrupt();
  a.end_trimmed_to = a.page_count;
  f.expect_intact();
  a.end_trimmed_to = 0;
  fastalloc32_free(f.mm, big);
  f.expect_intact();
}

TEST_CASE(
    "layout: each class's live-size table and cache meet in one page, at an offset of the class's own") {
  Fixture f;
  const uintptr_t page = 4096;
  std::vector<uintptr_t> offsets;
  for (uint32_t i = 0; i < f.mm->class_count; ++i) {
    const fa32::core::PoolClass& k = f.mm->classes[i];
    CAPTURE(i);
    const auto meet = reinterpret_cast<uintptr_t>(k.cache_home - 2);  // the cache's sentinels
    const auto entry0 = reinterpret_cast<uintptr_t>(k.state);
    CHECK(entry0 + sizeof(fa32::core::LiveSize) == meet);  // the table's entry 0 just below them
    CHECK(entry0 / page == meet / page);
    CHECK(meet % page == k.state_phase * sizeof(fa32::core::LiveSize));
    offsets.push_back(meet % page);
  }
  // 32 offsets, 64 bytes apart: classes c and c + 32 share one, no others.
  for (size_t a = 0; a < offsets.size(); ++a) {
    for (size_t b = a + 1; b < offsets.size(); ++b) {
      CAPTURE(a);
      CAPTURE(b);
      CHECK((offsets[a] == offsets[b]) == (b - a == 32));
    }
  }
}

TEST_CASE("check: a footprint part that disagrees with what holds the memory is corrupt") {
  using fa32::core::FootprintPart;
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  f.expect_intact();
  uint64_t* parts = f.mm->gauges.parts;
  const auto pools = static_cast<unsigned>(FootprintPart::pools);
  const auto cache = static_cast<unsigned>(FootprintPart::large_cache);

  // A page moved from one part to another: the sum still matches.
  parts[pools] -= 4096;
  parts[cache] += 4096;
  f.expect_corrupt();
  parts[pools] += 4096;
  parts[cache] -= 4096;
  f.expect_intact();

  // The parts at the peak no longer add up to the peak.
  f.mm->gauges.parts_at_peak[pools] += 4096;
  f.expect_corrupt();
  f.mm->gauges.parts_at_peak[pools] -= 4096;
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE("check: a cache sentinel overwritten is corrupt") {
  // The inline malloc reads the entry under the cache's top to tell an
  // empty cache: below the first entry it must be kNoBlock.
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  fastalloc32_free(f.mm, p);  // the class's cache is set up, p on it
  REQUIRE(f.cls().cache_ready());
  f.expect_intact();
  for (const int below : {1, 2}) {
    CAPTURE(below);
    f.cls().cache[-below] = 0;
    f.expect_corrupt();
    f.cls().cache[-below] = fa32::core::kNoBlock;
    f.expect_intact();
  }
}

TEST_CASE("check: large cache totals that disagree with its buckets are corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, size_t(2) << 20);  // a mapping, kept in the cache when freed
  REQUIRE(p != nullptr);
  fastalloc32_free(f.mm, p);
  fa32::core::LargeCache& lc = f.mm->large_cache;
  REQUIRE(lc.blocks == 1);
  f.expect_intact();
  SUBCASE("blocks") {
    lc.blocks++;
    f.expect_corrupt();
    lc.blocks--;
  }
  SUBCASE("bytes") {
    lc.bytes += 4096;
    f.expect_corrupt();
    lc.bytes -= 4096;
  }
  f.expect_intact();
}

TEST_CASE("check: a metadata gauge that disagrees with the pages the tables use is corrupt") {
  // A page of class 0's free-list bitmap counted as touched, and not in
  // the metadata gauge: every other figure still agrees.
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  f.expect_intact();
  const uint64_t words_per_page = f.mm->page_size / sizeof(uint64_t);
  f.cls().free_bits_touched += words_per_page;
  f.expect_corrupt();
  f.cls().free_bits_touched -= words_per_page;
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE("check: a huge-page zone without huge pages, or off their boundaries, is corrupt") {
  Fixture f;
  void* p = fastalloc32_malloc(f.mm, 16);
  REQUIRE(p != nullptr);
  f.expect_intact();
  fa32::core::PoolClass& k = f.cls();
  const size_t from = k.huge_from;
  const size_t to = k.huge_to;
  if (f.mm->huge_page == 0) {
    // The kernel's huge pages are off (or the manager may not ask): the
    // zone must be empty.
    k.huge_from = f.mm->page_size;
    k.huge_to = 2 * f.mm->page_size;
  } else {
    REQUIRE(to > from);
    k.huge_from = from + f.mm->page_size;  // no longer on a huge page's boundary
  }
  f.expect_corrupt();
  k.huge_from = from;
  k.huge_to = to;
  f.expect_intact();
  fastalloc32_free(f.mm, p);
}

TEST_CASE(
    "check: runs of pages where the manager may not make them, or a run zone off its end, are corrupt") {
  Fixture f;
  fastalloc32_mm& m = *f.mm;
  const size_t stride = size_t(m.stride_mask) + 1;
  // The default mmap and no trim_pools: runs, whether or not the kernel
  // grants huge pages, up to the huge zone or through the whole stride.
  CHECK(m.populate_runs);
  for (uint32_t i = 0; i < m.class_count; ++i) {
    const fa32::core::PoolClass& k = m.classes[i];
    CHECK(k.runs_to() == (k.huge_to != 0 ? k.huge_from : stride));
  }
  fa32::core::PoolClass& k = f.cls();
  const uint32_t runs_end = k.runs_end_units;
  k.runs_end_units -= 1;  // the run zone no longer ends where it must
  f.expect_corrupt();
  k.runs_end_units = runs_end;
  f.expect_intact();

  // A manager that trims its pools makes runs but asks for no huge pages.
  // Its huge zones emptied first, its run zones reaching the stride's end,
  // so that only what is set again is wrong.
  const size_t huge = m.huge_page;
  std::vector<std::array<size_t, 3>> zones;
  for (uint32_t i = 0; i < m.class_count; ++i) {
    fa32::core::PoolClass& c = m.classes[i];
    zones.push_back({c.huge_from, c.huge_to, c.runs_end_units});
    c.huge_from = c.huge_to = 0;
    c.runs_end_units = fa32::core::run_zone_units(stride);
  }
  m.huge_page = 0;
  // The manager's flag and its copy of the config must agree, either way.
  m.trim_pools = true;
  f.expect_corrupt();
  m.trim_pools = false;
  m.config.trim_pools = 1;
  f.expect_corrupt();
  m.trim_pools = true;
  f.expect_intact();
  m.populate_runs = false;  // as after a kernel refused the advice
  f.expect_intact();
  m.populate_runs = true;
  m.huge_page = huge != 0 ? huge : size_t(2) << 20;
  f.expect_corrupt();
  m.huge_page = 0;
  k.runs_end_units = 0;
  f.expect_corrupt();
  k.runs_end_units = fa32::core::run_zone_units(stride);
  f.expect_intact();

  m.trim_pools = false;
  m.config.trim_pools = 0;
  m.populate_runs = true;
  m.huge_page = huge;
  for (uint32_t i = 0; i < m.class_count; ++i) {
    m.classes[i].huge_from = zones[i][0];
    m.classes[i].huge_to = zones[i][1];
    m.classes[i].runs_end_units = static_cast<uint32_t>(zones[i][2]);
  }
  f.expect_intact();
}
