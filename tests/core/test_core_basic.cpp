// SPDX-License-Identifier: GPL-3.0-or-later
// malloc/free/calloc basics and the C edge cases: size 0, SIZE_MAX, NULL
// pointers and managers, calloc overflow and zeroing, alignment of every
// size, usable_size, kind_of, last_status and the error callback.
#include <doctest/doctest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("default manager: malloc, write, free, stats balance") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  void* p = fastalloc32_malloc(mm.get(), 100);
  REQUIRE(p != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_usable_size(mm.get(), p) == 112);
  std::memset(p, 0xab, 100);
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.mallocs == 1);
  CHECK(s.pool_allocs == 1);
  CHECK(s.fresh_blocks == 1);
  CHECK(s.live_allocs.current == 1);
  CHECK(s.bytes_requested.current == 100);
  CHECK(s.bytes_reserved.current == 112);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), p);
  s = stats(mm.get());
  CHECK(s.frees == 1);
  CHECK(s.live_allocs.current == 0);
  CHECK(s.peaks_tracked == 0);  // the default keeps no peaks
  CHECK(s.live_allocs.peak == 0);
  CHECK(s.live_allocs.total == 1);
  CHECK(s.bytes_requested.current == 0);
  CHECK(s.bytes_requested.total == 100);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_NONE);
  CHECK(fastalloc32_usable_size(mm.get(), p) == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("malloc(0) returns a unique minimal block of the smallest class") {
  Mm mm = make(small_config());
  std::set<void*> seen;
  for (int i = 0; i < 10; ++i) {
    void* p = fastalloc32_malloc(mm.get(), 0);
    REQUIRE(p != nullptr);
    CHECK(seen.insert(p).second);
    CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
    CHECK(fastalloc32_usable_size(mm.get(), p) == 16);
  }
  CHECK(stats(mm.get()).bytes_requested.current == 0);
  CHECK(class_stats(mm.get(), 0).blocks_in_use.current == 10);
  for (void* p : seen) fastalloc32_free(mm.get(), p);
  CHECK(stats(mm.get()).live_allocs.current == 0);
  // calloc(0, n) and calloc(n, 0) likewise.
  void* a = fastalloc32_calloc(mm.get(), 0, 8);
  void* b = fastalloc32_calloc(mm.get(), 8, 0);
  CHECK(a != nullptr);
  CHECK(b != nullptr);
  CHECK(a != b);
  fastalloc32_free(mm.get(), a);
  fastalloc32_free(mm.get(), b);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("sizes near SIZE_MAX fail with E_OVERFLOW or E_NOMEM, never a tiny block") {
  fastalloc32_config c = small_config();
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  // Live blocks whose realloc to those sizes must fail too: a mapping
  // (grown by mremap) and an arena span, both at a colour in their first
  // page (their sizes leave slack for one).
  constexpr size_t kMapped = (size_t(2) << 20) - 1000;
  constexpr size_t kSpanned = 64 * 1024 - 1000;
  void* mapped = fastalloc32_malloc(mm.get(), kMapped);
  void* spanned = fastalloc32_malloc(mm.get(), kSpanned);
  REQUIRE((mapped && spanned));
  REQUIRE(stats(mm.get()).large_arena_allocs == 1);
  REQUIRE(colour_of(mapped) != 0);
  REQUIRE(colour_of(spanned) != 0);
  fill(mapped, kMapped, 1);
  fill(spanned, kSpanned, 2);
  uint64_t failures = 0;
  for (size_t k : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(4095), size_t(4096),
                   size_t(4096 + 64), size_t(8191), size_t(1) << 20}) {
    const size_t size = SIZE_MAX - k;
    CAPTURE(k);
    // Rounding up to a page overflows below SIZE_MAX - 4095; above, the
    // size is merely impossible to map. The status depends on the size
    // alone: a large block's colour (up to 4032 bytes into its first page)
    // is the allocator's choice, so it must not turn a size that rounds to
    // pages into an overflow, whatever colour the request would get. (The
    // colour a block has is dropped, or kept by a block that grows, and
    // the request then fails as too big: E_NOMEM.)
    const fastalloc32_status expected = k < 4095 ? FASTALLOC32_E_OVERFLOW : FASTALLOC32_E_NOMEM;
    CHECK(fastalloc32_malloc(mm.get(), size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == expected);
    CHECK(fastalloc32_calloc(mm.get(), 1, size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == expected);
    CHECK(fastalloc32_realloc(mm.get(), mapped, size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == expected);
    CHECK(fastalloc32_realloc(mm.get(), spanned, size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == expected);
    // The alignment padding overflows all but the smallest of them.
    CHECK(fastalloc32_aligned_alloc(mm.get(), 1 << 20, size) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) ==
          (k < (1 << 20) - 16 ? FASTALLOC32_E_OVERFLOW : FASTALLOC32_E_NOMEM));
    failures += 5;
  }
  // The failed reallocs left both blocks as they were.
  CHECK(verify(mapped, kMapped, 1));
  CHECK(verify(spanned, kSpanned, 2));
  CHECK(fastalloc32_usable_size(mm.get(), spanned) == 64 * 1024 - colour_of(spanned));
  fastalloc32_free(mm.get(), mapped);
  fastalloc32_free(mm.get(), spanned);
  // Huge but not overflowing: the system cannot provide it.
  CHECK(fastalloc32_malloc(mm.get(), SIZE_MAX / 2) == nullptr);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_NOMEM);
  ++failures;
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.failed_allocs == failures);
  CHECK(s.mallocs == 2);
  CHECK(s.live_allocs.current == 0);
  CHECK(errors.entries.size() == failures);
  CHECK(errors.entries.back().status == FASTALLOC32_E_NOMEM);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("free(NULL) and a NULL manager are harmless") {
  fastalloc32_config c = small_config();
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  fastalloc32_free(mm.get(), nullptr);
  CHECK(errors.entries.empty());
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_OK);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.frees == 0);
  CHECK(s.invalid_frees == 0);

  CHECK(fastalloc32_malloc(nullptr, 16) == nullptr);
  CHECK(fastalloc32_calloc(nullptr, 1, 16) == nullptr);
  CHECK(fastalloc32_realloc(nullptr, nullptr, 16) == nullptr);
  CHECK(fastalloc32_aligned_alloc(nullptr, 64, 16) == nullptr);
  fastalloc32_free(nullptr, nullptr);
  fastalloc32_destroy(nullptr);
  CHECK(fastalloc32_usable_size(nullptr, nullptr) == 0);
  CHECK(fastalloc32_kind_of(nullptr, nullptr) == FASTALLOC32_KIND_NONE);
  CHECK(fastalloc32_class_count(nullptr) == 0);
  CHECK(fastalloc32_check(nullptr) == FASTALLOC32_E_BAD_CONFIG);
}

TEST_CASE("calloc checks count * size for overflow") {
  Mm mm = make(small_config());
  // Through volatile: the header's alloc_size attributes make the compiler
  // reject constant sizes this large at compile time.
  volatile size_t half = SIZE_MAX / 2 + 1, two32 = size_t(1) << 32;
  CHECK(fastalloc32_calloc(mm.get(), half, 2) == nullptr);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_OVERFLOW);
  CHECK(fastalloc32_calloc(mm.get(), two32, two32) == nullptr);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_OVERFLOW);
  CHECK(stats(mm.get()).failed_allocs == 2);
  void* p = fastalloc32_calloc(mm.get(), 3, 5);
  REQUIRE(p != nullptr);
  CHECK(all_zero(p, 15));
  fastalloc32_free(mm.get(), p);
}

TEST_CASE("calloc zeroes reused blocks on every path") {
  fastalloc32_config c = small_config(4096);
  c.cache_capacity = 1;
  c.mmap_threshold = 64 * 1024;
  Mm mm = make(c);
  for (size_t size : {size_t(16), size_t(100), size_t(128), size_t(1000), size_t(5000), size_t(70000)}) {
    CAPTURE(size);
    // Two blocks freed: one goes to the cache, one to the free list.
    void* a = fastalloc32_malloc(mm.get(), size);
    void* b = fastalloc32_malloc(mm.get(), size);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    std::memset(a, 0xee, size);
    std::memset(b, 0xdd, size);
    fastalloc32_free(mm.get(), a);
    fastalloc32_free(mm.get(), b);
    void* x = fastalloc32_calloc(mm.get(), 1, size);
    void* y = fastalloc32_calloc(mm.get(), size, 1);
    REQUIRE(x != nullptr);
    REQUIRE(y != nullptr);
    CHECK(all_zero(x, size));
    CHECK(all_zero(y, size));
    // The reuse really happened (the test would be empty otherwise): the
    // same block, or for a mapping (70000 bytes) the same mapping at a
    // colour of its own in its first page.
    const bool mapped = size >= c.mmap_threshold;
    auto same = [&](void* u, void* v) { return mapped ? first_page(u) == first_page(v) : u == v; };
    const bool reused = (same(x, a) || same(x, b)) && (same(y, a) || same(y, b));
    CHECK(reused);
    if (mapped) CHECK((colour_of(x) != 0 && colour_of(y) != 0));
    fastalloc32_free(mm.get(), x);
    fastalloc32_free(mm.get(), y);
  }
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.cache_hits > 0);
  CHECK(s.freelist_hits > 0);
  CHECK(s.large_cache_hits > 0);
}

TEST_CASE("every pointer for every size 1..4096 is aligned") {
  for (size_t alignment : {size_t(16), size_t(64), size_t(256)}) {
    CAPTURE(alignment);
    fastalloc32_config c = original_config();
    c.alignment = alignment;
    c.class_count = 3;
    c.block_sizes[0] = alignment;
    c.block_sizes[1] = 2 * alignment;
    c.block_sizes[2] = 4 * alignment;
    c.pool_size = 8 * 4 * alignment;  // eight of the largest blocks: fallback happens too
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (size_t size = 1; size <= 4096; ++size) {
      void* p = fastalloc32_malloc(mm.get(), size);
      FAST_REQUIRE(p != nullptr);
      FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % alignment == 0);
      FAST_REQUIRE(fastalloc32_usable_size(mm.get(), p) >= size);
      ptrs.push_back(p);
    }
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.pool_allocs > 0);
    CHECK(s.large_allocs > 0);
    CHECK(s.fallback_allocs > 0);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(stats(mm.get()).live_allocs.current == 0);
  }
}

TEST_CASE("error callback and last_status see each failure with its pointer") {
  fastalloc32_config c = small_config();
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_OK);
  int on_stack = 0;
  fastalloc32_free(mm.get(), &on_stack);
  REQUIRE(errors.entries.size() == 1);
  CHECK(errors.entries[0].status == FASTALLOC32_E_INVALID_FREE);
  CHECK(errors.entries[0].ptr == &on_stack);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  // A success does not clear the last failure.
  void* p = fastalloc32_malloc(mm.get(), 8);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  fastalloc32_free(mm.get(), p);
  CHECK(std::string(fastalloc32_status_string(FASTALLOC32_E_DOUBLE_FREE)) == "double free");
}
