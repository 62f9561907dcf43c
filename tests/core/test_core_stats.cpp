// SPDX-License-Identifier: GPL-3.0-or-later
// The stats struct against the X-macro lists, versioning, and the walk over
// live allocations.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

#define NAME(name, desc) #name,
const char* const kCounterNames[] = {FASTALLOC32_COUNTERS(NAME)};
const char* const kGaugeNames[] = {FASTALLOC32_GAUGES(NAME)};
const char* const kPartNames[] = {FASTALLOC32_FOOTPRINT_PARTS(NAME)};
#undef NAME
#define DESC(name, desc) desc,
const char* const kDescriptions[] = {FASTALLOC32_COUNTERS(DESC) FASTALLOC32_GAUGES(DESC)
                                         FASTALLOC32_FOOTPRINT_PARTS(DESC)};
#undef DESC

}  // namespace

TEST_CASE("the stats struct is exactly the X-macro lists") {
  constexpr size_t counters = sizeof(kCounterNames) / sizeof(kCounterNames[0]);
  constexpr size_t gauges = sizeof(kGaugeNames) / sizeof(kGaugeNames[0]);
  constexpr size_t parts = sizeof(kPartNames) / sizeof(kPartNames[0]);
  CHECK(sizeof(fastalloc32_footprint_parts) == parts * sizeof(uint64_t));
  CHECK(sizeof(fastalloc32_stats) == 4 * sizeof(uint32_t) + counters * sizeof(uint64_t) +
                                         gauges * sizeof(fastalloc32_gauge) +
                                         2 * sizeof(fastalloc32_footprint_parts));
  CHECK(offsetof(fastalloc32_stats, mallocs) == 16);
  std::set<std::string> part_names(std::begin(kPartNames), std::end(kPartNames));
  CHECK(part_names.size() == parts);
  std::set<std::string> names(std::begin(kCounterNames), std::end(kCounterNames));
  names.insert(std::begin(kGaugeNames), std::end(kGaugeNames));
  CHECK(names.size() == counters + gauges);  // no name twice
  for (const char* d : kDescriptions) CHECK(std::strlen(d) > 10);
}

TEST_CASE("get_stats checks the caller's struct size and sets the version") {
  Mm mm = make(small_config());
  fastalloc32_stats s{};
  s.size = sizeof(s) - 8;
  CHECK(fastalloc32_get_stats(mm.get(), &s) == FASTALLOC32_E_BAD_CONFIG);
  s.size = sizeof(s);
  CHECK(fastalloc32_get_stats(mm.get(), &s) == FASTALLOC32_OK);
  CHECK(s.version == FASTALLOC32_STATS_VERSION);
  CHECK(s.size == sizeof(s));
  CHECK(fastalloc32_get_stats(mm.get(), nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_stats(nullptr, &s) == FASTALLOC32_E_BAD_CONFIG);
}

TEST_CASE("get_stats fills every byte after size, the reserved word included") {
  // A caller that does not zero the struct first (fastalloc32_stats s;
  // s.size = sizeof s;) got its garbage back in reserved0.
  Mm mm = make(small_config());
  fastalloc32_stats s;
  std::memset(&s, 0xab, sizeof s);
  s.size = sizeof s;
  REQUIRE(fastalloc32_get_stats(mm.get(), &s) == FASTALLOC32_OK);
  CHECK(s.reserved0 == 0);
  fastalloc32_stats zeroed{};
  zeroed.size = sizeof zeroed;
  REQUIRE(fastalloc32_get_stats(mm.get(), &zeroed) == FASTALLOC32_OK);
  CHECK(std::memcmp(&s, &zeroed, sizeof s) == 0);
}

TEST_CASE("mallocs, frees and realloc_in_place count what the header says") {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  Mm mm = make(c);
  void* p = fastalloc32_realloc(mm.get(), nullptr, 10);  // realloc(NULL, n) is a malloc
  REQUIRE(p != nullptr);
  CHECK(stats(mm.get()).mallocs == 1);
  CHECK(fastalloc32_realloc(mm.get(), p, 12) == p);  // a pool block kept in place
  CHECK(stats(mm.get()).realloc_in_place == 1);
  CHECK(fastalloc32_realloc(mm.get(), p, 0) == nullptr);  // realloc(p, 0) is a free
  CHECK(stats(mm.get()).frees == 1);
  void* large = fastalloc32_malloc(mm.get(), 40000);
  REQUIRE(large != nullptr);
  CHECK(fastalloc32_realloc(mm.get(), large, 41000) == large);  // a large block grown in place
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.realloc_large_in_place == 1);
  CHECK(s.realloc_in_place == 1);  // pool reallocs only
  CHECK(s.mallocs == 2);
  CHECK(s.reallocs == 2);
  fastalloc32_free(mm.get(), large);
  CHECK(stats(mm.get()).frees == 2);
}

TEST_CASE("gauges keep current, peak and total") {
  Mm mm = make(small_config());
  void* a = fastalloc32_malloc(mm.get(), 100);
  void* b = fastalloc32_malloc(mm.get(), 1000);
  fastalloc32_free(mm.get(), a);
  void* c = fastalloc32_malloc(mm.get(), 10);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 2);
  CHECK(s.live_allocs.peak == 2);
  CHECK(s.live_allocs.total == 3);
  CHECK(s.bytes_requested.current == 1010);
  CHECK(s.bytes_requested.peak == 1100);
  CHECK(s.bytes_requested.total == 1110);
  CHECK(s.bytes_reserved.current == 16 + 1024);
  CHECK(s.large_bytes.current == 1024);
  CHECK(s.pool_blocks.current == 1);
  CHECK(s.pool_blocks.peak == 1);
  CHECK(held_blocks(s) == 4096 + 4096 + 1024);  // two pool pages touched, one large block
  fastalloc32_free(mm.get(), b);
  fastalloc32_free(mm.get(), c);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("for_each_live lists every live allocation with its sizes and path") {
  fastalloc32_config c = small_config(4096);
  Mm mm = make(c);
  std::map<void*, std::pair<size_t, fastalloc32_kind>> expected;
  for (size_t size : {0, 5, 17, 64, 100, 128})
    expected[fastalloc32_malloc(mm.get(), size)] = {size, FASTALLOC32_KIND_POOL};
  for (size_t size : {129, 5000, 2000000})
    expected[fastalloc32_malloc(mm.get(), size)] = {size, FASTALLOC32_KIND_LARGE};
  std::vector<void*> full;
  for (int i = 0; i < 40; ++i) full.push_back(fastalloc32_malloc(mm.get(), 120));
  for (void* p : full) {
    expected[p] = {120, fastalloc32_kind_of(mm.get(), p)};
  }
  void* gone = fastalloc32_malloc(mm.get(), 30);
  fastalloc32_free(mm.get(), gone);

  struct Seen {
    std::map<void*, std::pair<size_t, fastalloc32_kind>> blocks;
    size_t reserved_ok = 0;
  } seen;
  fastalloc32_for_each_live(
      mm.get(),
      [](void* p, size_t requested, size_t reserved, fastalloc32_kind kind, void* user) {
        auto& s = *static_cast<Seen*>(user);
        s.blocks[p] = {requested, kind};
        if (reserved >= requested) ++s.reserved_ok;
        return 0;
      },
      &seen);
  CHECK(seen.blocks == expected);
  CHECK(seen.reserved_ok == expected.size());
  size_t fallbacks = 0;
  for (const auto& [p, v] : seen.blocks) fallbacks += v.second == FASTALLOC32_KIND_FALLBACK;
  CHECK(fallbacks == 10);  // 2 + 40 blocks into a class of 32

  // Stops when the callback says so.
  int calls = 0;
  fastalloc32_for_each_live(
      mm.get(),
      [](void*, size_t, size_t, fastalloc32_kind, void* user) {
        return ++*static_cast<int*>(user) == 3 ? 1 : 0;
      },
      &calls);
  CHECK(calls == 3);
  for (const auto& [p, v] : expected) fastalloc32_free(mm.get(), p);
  CHECK(live_count(mm.get()) == 0);
}
