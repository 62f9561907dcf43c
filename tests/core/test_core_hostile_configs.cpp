// SPDX-License-Identifier: GPL-3.0-or-later
// Valid configs at their edges and calls that go with them, found by a
// hostile review: each once corrupted memory, broke a promise of the header
// or miscounted. Every case ends with fastalloc32_check.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("with mmap_threshold SIZE_MAX a request no system grants fails cleanly, on every call") {
  // Past 2^62 the large path's bucket arithmetic shifted by 64: malloc of
  // SIZE_MAX - 1 returned a 1-byte block, its free wrote outside the large
  // cache, and realloc copied 112 bytes into it.
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  c.mmap_threshold = SIZE_MAX;
  // The system malloc as glibc's answers an impossible size (NULL), which
  // ASan's malloc would abort on instead; any size it does grant is real.
  c.system.malloc = [](size_t size, void*) { return size > (size_t(1) << 40) ? nullptr : std::malloc(size); };
  c.system.free = [](void* p, void*) { std::free(p); };
  Mm mm = make(c);
  for (size_t size : {SIZE_MAX - 1, SIZE_MAX - 4096, size_t(0xF000000000000000ull),
                      size_t(0xE000000000000001ull), size_t(0x8000000000000001ull), (size_t(1) << 62) + 1}) {
    CAPTURE(size);
    CHECK(fastalloc32_malloc(mm.get(), size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) != FASTALLOC32_OK);
    CHECK(fastalloc32_aligned_alloc(mm.get(), 64, size) == nullptr);
  }
  void* p = fastalloc32_malloc(mm.get(), 100);
  REQUIRE(p != nullptr);
  fill(p, 100, 7);
  const size_t absurd = SIZE_MAX - 8;  // not a constant: GCC warns of the call's size otherwise
  volatile size_t opaque = absurd;
  CHECK(fastalloc32_realloc(mm.get(), p, opaque) == nullptr);
  CHECK(verify(p, 100, 7));  // a failed realloc leaves the block as it was
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), p);
  CHECK(live_count(mm.get()) == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("an alignment above a page holds for fallback blocks too") {
  // Fallback slabs capped their alignment at a page: with 8 KiB every
  // fallback block sat 4 KiB past a multiple of it.
  for (size_t align : {size_t(8192), size_t(32768)}) {
    CAPTURE(align);
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    c.alignment = align;
    c.class_count = 1;
    c.block_sizes[0] = align;
    c.pool_size = 2 * align;
    c.pool_limit = 0;  // full after two blocks: the rest falls back
    REQUIRE(fastalloc32_config_problem(&c) == nullptr);
    Mm mm = make(c);
    std::vector<void*> blocks;
    int fallbacks = 0;
    for (int i = 0; i < 12; ++i) {
      void* p = fastalloc32_malloc(mm.get(), i % 2 == 0 ? 100 : align - 16);
      REQUIRE(p != nullptr);
      CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
      fallbacks += fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK;
      blocks.push_back(p);
    }
    void* a = fastalloc32_aligned_alloc(mm.get(), align, 200);
    REQUIRE(a != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(a) % align == 0);
    blocks.push_back(a);
    CHECK(fallbacks >= 8);  // the case under test was reached
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    for (void* p : blocks) fastalloc32_free(mm.get(), p);
    CHECK(stats(mm.get()).double_frees + stats(mm.get()).invalid_frees == 0);
  }
}

TEST_CASE("a large pointer freed again after its memory went to a new block is a double free") {
  // The new block (same span, another colour) covers the old pointer, which
  // read as an interior pointer; the header calls it a double free while
  // the pointer is among the last 64 large pointers given up.
  Mm mm = make([] {
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    return c;
  }());
  void* p = fastalloc32_malloc(mm.get(), 20000);
  REQUIRE(p != nullptr);
  fastalloc32_free(mm.get(), p);
  void* q = fastalloc32_malloc(mm.get(), 20000);
  REQUIRE(q != nullptr);
  fill(q, 20000, 3);
  if (q == p) {
    MESSAGE("the new block took the old pointer itself: nothing to test here");
  } else {
    fastalloc32_free(mm.get(), p);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.double_frees == 1);
    CHECK(s.interior_frees == 0);
    CHECK(s.invalid_frees == 0);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_DOUBLE_FREE);
  }
  CHECK(verify(q, 20000, 3));  // the live block is untouched
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), q);
  CHECK(live_count(mm.get()) == 0);
}

TEST_CASE("after a trim, touched_bytes is what the class holds and blocks_in_use.peak its high-water") {
  // The header once called touched_bytes a high-water mark, which a trim
  // lowers: it says now what it is, and where the high-water mark is.
  fastalloc32_config c;
  REQUIRE(fastalloc32_config_preset(&c, "compact") == FASTALLOC32_OK);
  Mm mm = make(c);
  std::vector<void*> blocks;
  for (int i = 0; i < 20000; ++i) blocks.push_back(fastalloc32_malloc(mm.get(), 64));
  for (void* p : blocks) fastalloc32_free(mm.get(), p);
  uint32_t cls = 0;
  while (class_stats(mm.get(), cls).block_size != 64) ++cls;
  CHECK(class_stats(mm.get(), cls).touched_bytes == 20000u * 64u);
  // Two large blocks, each a new footprint peak: the pools are trimmed.
  void* big = fastalloc32_malloc(mm.get(), 4 << 20);
  void* big2 = fastalloc32_malloc(mm.get(), 4 << 20);
  REQUIRE(stats(mm.get()).pool_trims > 0);
  const fastalloc32_class_stats k = class_stats(mm.get(), cls);
  CHECK(k.touched_bytes == 0);  // every block was free: all went back
  CHECK(k.blocks_in_use.peak == 20000);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), big);
  fastalloc32_free(mm.get(), big2);
}
