// SPDX-License-Identifier: GPL-3.0-or-later
// Config defaults, rejected configs, and what create costs.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

fastalloc32_status create_status(const fastalloc32_config& c) {
  fastalloc32_status status = FASTALLOC32_OK;
  fastalloc32_mm* mm = fastalloc32_create_with(&c, &status);
  const bool made = mm != nullptr;
  fastalloc32_destroy(mm);
  if (made != (status == FASTALLOC32_OK)) return FASTALLOC32_E_CORRUPT;
  return status;
}

}  // namespace

// The default's block sizes: every 16 bytes to 256, then eight classes per
// doubling to 16 KiB.
std::vector<size_t> default_classes() {
  std::vector<size_t> sizes;
  for (size_t s = 16; s <= 256; s += 16) sizes.push_back(s);
  for (size_t base = 256; base < 16384; base *= 2) {
    for (size_t k = 1; k <= 8; ++k) sizes.push_back(base + base / 8 * k);
  }
  return sizes;
}

TEST_CASE("the default config: 64 size classes, growing pools, peaks off") {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  CHECK(c.size == sizeof(fastalloc32_config));
  CHECK(c.version == FASTALLOC32_CONFIG_VERSION);
  const std::vector<size_t> classes = default_classes();
  REQUIRE(classes.size() == 64);
  CHECK(classes[16] == 288);
  CHECK(classes.back() == 16384);
  REQUIRE(c.class_count == 64);
  for (uint32_t i = 0; i < 64; ++i) CHECK(c.block_sizes[i] == classes[i]);
  CHECK(c.pool_size == 256 * 1024);
  CHECK(c.pool_limit == 64 * 1024 * 1024);
  CHECK(c.cache_capacity == 4096);
  CHECK(c.alignment == 16);
  CHECK(c.large_cache_bytes == 8 * 1024 * 1024);
  CHECK(c.mmap_threshold == 1024 * 1024);
  CHECK(c.large_arena_size == 1024 * 1024 * 1024);
  CHECK(c.secure_zero == 0);
  CHECK(c.track_peaks == 0);
  CHECK((c.on_error == nullptr));
  CHECK((c.system.malloc == nullptr));

  // fastalloc32_create() is the same config, and so is the "default" preset.
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  REQUIRE(fastalloc32_class_count(mm.get()) == 64);
  for (uint32_t i = 0; i < 64; ++i) CHECK(class_stats(mm.get(), i).block_size == classes[i]);
  CHECK(class_stats(mm.get(), 3).capacity_blocks == 256 * 1024 / 64);
  CHECK(stats(mm.get()).peaks_tracked == 0);
  fastalloc32_config preset;
  std::memset(&preset, 0x5a, sizeof preset);
  REQUIRE(fastalloc32_config_preset(&preset, "default") == FASTALLOC32_OK);
  CHECK(std::memcmp(&preset, &c, sizeof c) == 0);
}

TEST_CASE("presets: original is the original fastalloc32's layout, profiling keeps the peaks") {
  const fastalloc32_config c = original_config();
  CHECK(c.size == sizeof(fastalloc32_config));
  CHECK(c.version == FASTALLOC32_CONFIG_VERSION);
  CHECK(c.class_count == 1);
  CHECK(c.block_sizes[0] == 128);
  CHECK(c.block_sizes[1] == 0);
  CHECK(c.pool_size == 1024 * 1024);
  CHECK(c.pool_limit == 0);
  CHECK(c.cache_capacity == 512);
  CHECK(c.alignment == 16);
  CHECK(c.track_peaks == 1);
  Mm mm = make(c);
  CHECK(fastalloc32_class_count(mm.get()) == 1);
  const fastalloc32_class_stats k = class_stats(mm.get(), 0);
  CHECK(k.block_size == 128);
  CHECK(k.capacity_blocks == 1024 * 1024 / 128);

  fastalloc32_config profiling;
  REQUIRE(fastalloc32_config_preset(&profiling, "profiling") == FASTALLOC32_OK);
  fastalloc32_config expected;
  fastalloc32_config_init(&expected);
  expected.track_peaks = 1;
  CHECK(std::memcmp(&profiling, &expected, sizeof expected) == 0);
  CHECK(stats(make(profiling).get()).peaks_tracked == 1);

  // An unknown name leaves the config as it was.
  fastalloc32_config kept = c;
  CHECK(fastalloc32_config_preset(&kept, "fast") == FASTALLOC32_E_BAD_CONFIG);
  CHECK(std::memcmp(&kept, &c, sizeof c) == 0);
  CHECK(fastalloc32_config_preset(&kept, nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_config_preset(nullptr, "default") == FASTALLOC32_E_BAD_CONFIG);
}

TEST_CASE("fastalloc32_preset_name lists every preset fastalloc32_config_preset knows, and no other") {
  std::vector<std::string> names;
  for (unsigned i = 0; const char* name = fastalloc32_preset_name(i); ++i) {
    REQUIRE(i < 64);  // the list ends with NULL
    names.emplace_back(name);
    fastalloc32_config c;
    CHECK_MESSAGE(fastalloc32_config_preset(&c, name) == FASTALLOC32_OK, name);
  }
  CHECK(names == std::vector<std::string>{"default", "profiling", "compact", "original"});
  CHECK(fastalloc32_preset_name(4) == nullptr);
  CHECK(fastalloc32_preset_name(~0u) == nullptr);
  // Every listed name gives a config of its own.
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      fastalloc32_config a;
      fastalloc32_config b;
      REQUIRE(fastalloc32_config_preset(&a, names[i].c_str()) == FASTALLOC32_OK);
      REQUIRE(fastalloc32_config_preset(&b, names[j].c_str()) == FASTALLOC32_OK);
      const std::string pair = names[i] + " and " + names[j];
      CHECK_MESSAGE(std::memcmp(&a, &b, sizeof a) != 0, pair);
    }
  }
}

TEST_CASE("the first blocks of the classes do not share their address modulo 4 KiB") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  std::vector<uintptr_t> lows;
  std::vector<char*> firsts;
  const uint32_t classes = fastalloc32_class_count(mm.get());
  REQUIRE(classes == 64);
  for (uint32_t i = 0; i < classes; ++i) {
    const size_t size = class_stats(mm.get(), i).block_size;
    void* p = fastalloc32_malloc(mm.get(), size);
    REQUIRE(p != nullptr);
    CHECK(fastalloc32_usable_size(mm.get(), p) == size);
    // Colours are multiples of 64, so 64-byte aligned requests still fit.
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    const uintptr_t low = reinterpret_cast<uintptr_t>(p) % 4096;
    // The first 32 classes (16 B to 512 B) all start apart; the larger ones
    // repeat their pattern.
    if (i < 32) {
      for (uintptr_t other : lows) CHECK(low != other);
    } else {
      CHECK(low == lows[i - 32]);
    }
    lows.push_back(low);
    firsts.push_back(static_cast<char*>(p));
  }
  // Between a class's stride start and its first block lies no block: a free
  // there is an invalid free, counted, and changes nothing.
  for (char* first : firsts) {
    CHECK(fastalloc32_kind_of(mm.get(), first - 16) == FASTALLOC32_KIND_NONE);
    fastalloc32_free(mm.get(), first - 16);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  }
  CHECK(stats(mm.get()).invalid_frees == classes);
  CHECK(stats(mm.get()).live_allocs.current == classes);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a class whose limit is a power of two gives its last chunk to the colour") {
  // The default: 256 KiB chunks up to 64 MiB, so 255 chunks; the largest
  // class (16 KiB) holds 16 blocks a chunk. Nothing is written: the pool's
  // pages stay untouched address space.
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  const uint32_t last = fastalloc32_class_count(mm.get()) - 1;
  REQUIRE(class_stats(mm.get(), last).block_size == 16384);
  std::vector<void*> ptrs;
  while (stats(mm.get()).fallback_allocs == 0) {
    void* p = fastalloc32_malloc(mm.get(), 16384);
    REQUIRE(p != nullptr);
    ptrs.push_back(p);
    REQUIRE(ptrs.size() <= 255 * 16 + 1);
  }
  CHECK(ptrs.size() == 255 * 16 + 1);
  CHECK(class_stats(mm.get(), last).capacity_blocks == 255 * 16);
  CHECK(stats(mm.get()).pool_grows == 254);
  CHECK(fastalloc32_kind_of(mm.get(), ptrs.back()) == FASTALLOC32_KIND_FALLBACK);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  CHECK(stats(mm.get()).live_allocs.current == 0);

  // A limit that is not a power of two of pages keeps every chunk.
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.class_count = 1;
  c.block_sizes[0] = 4096;
  c.pool_size = 64 * 1024;
  c.pool_limit = 3 * 64 * 1024;
  Mm three = make(c);
  for (int i = 0; i < 48; ++i) REQUIRE(fastalloc32_malloc(three.get(), 4096) != nullptr);
  CHECK(stats(three.get()).fallback_allocs == 0);
  CHECK(stats(three.get()).pool_grows == 2);
  REQUIRE(fastalloc32_malloc(three.get(), 4096) != nullptr);
  CHECK(stats(three.get()).fallback_allocs == 1);
}

TEST_CASE("what decides the chunk given to the colour is the chunks' total, not pool_limit") {
  // The header said a pool_limit that is a power of two of pages holds one
  // chunk less; it is the chunks the limit allows that must make one.
  struct Case {
    size_t pool_pages, limit_pages, alignment;
    unsigned blocks;  // of 4096 bytes the class holds before it falls back
  };
  const size_t page = 4096;
  for (const Case& k : {Case{3, 8, 16, 6},    // a power-of-two limit, 6 pages of chunks: both kept
                        Case{3, 16, 16, 15},  // five chunks, 15 pages: all kept
                        Case{4, 8, 16, 4},    // two chunks of 8 pages: one given up
                        Case{2, 9, 16, 6},  // limit not a power of two, four chunks of 8 pages: one given up
                        Case{4, 8, 4096, 8}}) {  // no colour at a page's alignment: both kept
    CAPTURE(k.pool_pages);
    CAPTURE(k.limit_pages);
    CAPTURE(k.alignment);
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    c.class_count = 1;
    c.block_sizes[0] = 4096;
    c.alignment = k.alignment;
    c.pool_size = k.pool_pages * page;
    c.pool_limit = k.limit_pages * page;
    Mm mm = make(c);
    unsigned pooled = 0;
    while (stats(mm.get()).fallback_allocs == 0) {
      void* p = fastalloc32_malloc(mm.get(), 4096);
      REQUIRE(p != nullptr);
      if (fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL) ++pooled;
      REQUIRE(pooled <= k.limit_pages);
    }
    CHECK(pooled == k.blocks);
    CHECK(class_stats(mm.get(), 0).capacity_blocks == k.blocks);
  }
}

TEST_CASE("bad configs are rejected with E_BAD_CONFIG") {
  CHECK(fastalloc32_create_with(nullptr, nullptr) == nullptr);
  fastalloc32_status status = FASTALLOC32_OK;
  CHECK(fastalloc32_create_with(nullptr, &status) == nullptr);
  CHECK(status == FASTALLOC32_E_BAD_CONFIG);

  const fastalloc32_config good = small_config();
  CHECK(create_status(good) == FASTALLOC32_OK);
  struct Case {
    const char* what;
    void (*edit)(fastalloc32_config&);
    const char* rule;  // a word fastalloc32_config_problem's sentence must hold
  };
  const Case cases[] = {
      {"wrong size", [](fastalloc32_config& c) { c.size -= 8; }, "version"},
      {"wrong version", [](fastalloc32_config& c) { c.version = 99; }, "version"},
      {"no classes", [](fastalloc32_config& c) { c.class_count = 0; }, "class_count"},
      {"too many classes", [](fastalloc32_config& c) { c.class_count = FASTALLOC32_MAX_CLASSES + 1; },
       "class_count"},
      {"unsorted classes", [](fastalloc32_config& c) { c.block_sizes[1] = 96; }, "ascending"},
      {"duplicate classes", [](fastalloc32_config& c) { c.block_sizes[2] = c.block_sizes[1]; }, "ascending"},
      {"block size zero", [](fastalloc32_config& c) { c.block_sizes[0] = 0; }, "65520"},
      {"block not a multiple of alignment", [](fastalloc32_config& c) { c.block_sizes[0] = 24; },
       "multiple of the alignment"},
      {"alignment not a power of two", [](fastalloc32_config& c) { c.alignment = 48; }, "power of two"},
      {"alignment below max_align_t", [](fastalloc32_config& c) { c.alignment = 8; }, "max_align_t"},
      {"alignment zero", [](fastalloc32_config& c) { c.alignment = 0; }, "power of two"},
      {"block size too big",
       [](fastalloc32_config& c) {
         c.class_count = 1;
         c.block_sizes[0] = 65536;  // 65520 is the largest
         c.pool_size = size_t(1) << 22;
       },
       "65520"},
      {"alignment too big", [](fastalloc32_config& c) { c.alignment = 65536; }, "32768"},
      {"pool smaller than a block", [](fastalloc32_config& c) { c.pool_size = 64; }, "largest block size"},
      {"pool limit below pool size", [](fastalloc32_config& c) { c.pool_limit = c.pool_size / 2; },
       "pool_limit"},
      {"absurd pool", [](fastalloc32_config& c) { c.pool_size = SIZE_MAX / 2; }, "2^46"},
      {"absurd pool limit", [](fastalloc32_config& c) { c.pool_limit = SIZE_MAX; }, "2^46"},
      // 2^32 chunks: the count of chunks once wrapped to 0 in 32 bits, and
      // the manager ran with classes of no blocks (misaligned, undefined).
      {"pool limit of 2^32 chunks", [](fastalloc32_config& c) { c.pool_limit = c.pool_size << 32; }, "2^46"},
      // 2^32 + 2 chunks wrapped to 2: accepted, and get_config told a limit
      // of 2^44 bytes for a class that could never grow past two chunks.
      {"pool limit of 2^32 + 2 chunks",
       [](fastalloc32_config& c) { c.pool_limit = (c.pool_size << 32) + 2 * c.pool_size; }, "2^46"},
      {"absurd cache", [](fastalloc32_config& c) { c.cache_capacity = UINT32_MAX; }, "cache_capacity"},
      {"half the malloc hooks", [](fastalloc32_config& c) { c.system.free = [](void*, void*) {}; },
       "system.malloc"},
      {"half the map hooks", [](fastalloc32_config& c) { c.system.unmap = [](void*, size_t, void*) {}; },
       "system.map"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    fastalloc32_config c = good;
    k.edit(c);
    CHECK(create_status(c) == FASTALLOC32_E_BAD_CONFIG);
    const char* problem = fastalloc32_config_problem(&c);
    REQUIRE(problem != nullptr);
    CHECK(std::string(problem).find(k.rule) != std::string::npos);
  }
  CHECK(fastalloc32_config_problem(&good) == nullptr);
  CHECK(fastalloc32_config_problem(nullptr) != nullptr);
  // The most classes allowed is fine.
  fastalloc32_config many = original_config();
  many.class_count = FASTALLOC32_MAX_CLASSES;
  for (uint32_t i = 0; i < FASTALLOC32_MAX_CLASSES; ++i) many.block_sizes[i] = 16 * (i + 1);
  CHECK(create_status(many) == FASTALLOC32_OK);
}

TEST_CASE("create maps once, and the footprint counts touched pages, the manager's own included") {
  SystemSpy spy;
  fastalloc32_config c = small_config(1024 * 1024);
  spy.attach(c);
  {
    Mm mm = make(c);
    CHECK(spy.maps == 1);
    CHECK(spy.mallocs == 0);
    fastalloc32_stats s = stats(mm.get());
    CHECK(s.sys_maps == 1);
    // Written at create: the manager's record and class table (about 22 KiB),
    // nothing of any class.
    const uint64_t created = s.metadata.current;
    CHECK(created % 4096 == 0);
    CHECK(created >= 5 * 4096);
    CHECK(created <= 8 * 4096);
    CHECK(s.footprint.current == created);
    void* p = fastalloc32_malloc(mm.get(), 16);
    s = stats(mm.get());
    CHECK(s.metadata.current == created + 4096);  // the class's live-size table's first page
    CHECK(s.footprint.current == s.metadata.current + 4096);
    // The class's first block lies at its colour in the first page of its
    // stride: the blocks from there to the page's end fill it, the next one
    // touches another.
    const size_t colour = reinterpret_cast<uintptr_t>(p) % 4096;
    const size_t first_page = (4096 - colour) / 16;
    REQUIRE(first_page > 1);
    std::vector<void*> ptrs{p};
    while (ptrs.size() < first_page) ptrs.push_back(fastalloc32_malloc(mm.get(), 16));
    CHECK(reinterpret_cast<uintptr_t>(ptrs.back()) / 4096 == reinterpret_cast<uintptr_t>(p) / 4096);
    s = stats(mm.get());
    CHECK(s.footprint.current - s.metadata.current == 4096);
    ptrs.push_back(fastalloc32_malloc(mm.get(), 16));
    s = stats(mm.get());
    CHECK(s.footprint.current - s.metadata.current == 8192);
    CHECK(class_stats(mm.get(), 0).touched_bytes == (first_page + 1) * 16);
    for (void* q : ptrs) fastalloc32_free(mm.get(), q);
    // Freed blocks stay the manager's: the footprint does not shrink. The
    // first free set up the class's cache, whose first entries (all these
    // blocks) lie in the page it shares with the live-size table: no page
    // more.
    CHECK(stats(mm.get()).footprint.current == s.footprint.current);
    CHECK(stats(mm.get()).metadata.current == created + 4096);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("the live-size table, cache and free list pages count in the footprint as they are first written") {
  // 2048 entries of 2 bytes fill a page of the live-size table, 1024 of 4
  // a page of the cache; 32768 blocks, a page of the free list's bitmap.
  // Class 0's live-size table and cache share a page: 512 entries of the
  // table below 1024 bytes into it, the cache's sentinels and 766 entries
  // above.
  for (const uint32_t cache : {4096u, 8u, 0u}) {
    CAPTURE(cache);
    fastalloc32_config c = small_config(1024 * 1024);
    c.cache_capacity = cache;
    Mm mm = make(c);
    const uint64_t created = stats(mm.get()).metadata.current;
    std::vector<void*> ptrs;
    for (int i = 0; i < 3000; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 16));
    // Block 0 began the shared page, blocks 512 and 2560 the table's next
    // two.
    CHECK(stats(mm.get()).metadata.current == created + 3 * 4096);
    for (void* q : ptrs) fastalloc32_free(mm.get(), q);
    const uint64_t tables = stats(mm.get()).metadata.current - created - 3 * 4096;
    if (cache == 4096) {
      // 3000 entries: 766 in the shared page, then three pages of the
      // cache's own.
      CHECK(tables == 3 * 4096);
    } else if (cache == 8) {
      // The cache keeps at most 8 (in the shared page); the free list
      // holds the rest: 3000 bits of its bitmap and a word of its summary,
      // a page each.
      CHECK(tables == 2 * 4096);
    } else {
      // No cache, never set up: the free list's two pages.
      CHECK(tables == 2 * 4096);
    }
    // Another class gets pages of its own as it is first used: the one
    // its live-size table and cache share (with no cache, its free list's
    // two as well).
    const uint64_t one_class = stats(mm.get()).metadata.current;
    fastalloc32_free(mm.get(), fastalloc32_malloc(mm.get(), 32));
    CHECK(stats(mm.get()).metadata.current == one_class + (cache == 0 ? 3 : 1) * 4096);
    // Reused, nothing is counted twice.
    const uint64_t before = stats(mm.get()).footprint.current;
    for (void*& q : ptrs) q = fastalloc32_malloc(mm.get(), 16);
    for (void* q : ptrs) fastalloc32_free(mm.get(), q);
    CHECK(stats(mm.get()).footprint.current == before);
    CHECK(stats(mm.get()).footprint.peak == before);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
}

TEST_CASE("a failing map makes create return NULL with E_NOMEM") {
  SystemSpy spy;
  spy.fail_at = 1;
  fastalloc32_config c = small_config();
  spy.attach(c);
  fastalloc32_status status = FASTALLOC32_OK;
  CHECK(fastalloc32_create_with(&c, &status) == nullptr);
  CHECK(status == FASTALLOC32_E_NOMEM);
  CHECK(spy.balanced());
}
