// SPDX-License-Identifier: GPL-3.0-or-later
// aligned_alloc for every power of two up to 1 MiB, on every path.
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("aligned_alloc honours every power-of-two alignment up to 1 MiB") {
  fastalloc32_config c = small_config(64 * 1024);
  c.mmap_threshold = 256 * 1024;
  SystemSpy spy;
  spy.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> ptrs;
    for (size_t align = 1; align <= (size_t(1) << 20); align *= 2) {
      for (size_t size : {size_t(0), size_t(1), size_t(16), size_t(100), size_t(128), size_t(129),
                          size_t(5000), size_t(300000)}) {
        CAPTURE(align);
        CAPTURE(size);
        void* p = fastalloc32_aligned_alloc(mm.get(), align, size);
        REQUIRE(p != nullptr);
        CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
        CHECK(reinterpret_cast<uintptr_t>(p) % 16 == 0);
        CHECK(fastalloc32_usable_size(mm.get(), p) >= size);
        fill(p, size, align + size);
        ptrs.push_back(p);
      }
    }
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.mallocs == ptrs.size());
    CHECK(s.pool_allocs > 0);
    CHECK(s.large_allocs > 0);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(stats(mm.get()).live_allocs.current == 0);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("small aligned requests use a class whose block size and first block are multiples") {
  Mm mm = make(small_config());
  // Class 64's first block lies 2 * 256 + 192 bytes into its page (its
  // colour): a multiple of 64, so every block of it is 64-byte aligned.
  void* p = fastalloc32_aligned_alloc(mm.get(), 64, 10);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_usable_size(mm.get(), p) == 64);
  CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
  // Class 128's colour (3 * 256 + 192) is not a multiple of 128: large.
  void* q = fastalloc32_aligned_alloc(mm.get(), 128, 10);
  CHECK(fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_LARGE);
  CHECK(reinterpret_cast<uintptr_t>(q) % 128 == 0);
  void* r = fastalloc32_aligned_alloc(mm.get(), 256, 10);  // no class is a multiple: large
  CHECK(fastalloc32_kind_of(mm.get(), r) == FASTALLOC32_KIND_LARGE);
  CHECK(reinterpret_cast<uintptr_t>(r) % 256 == 0);
  fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), q);
  fastalloc32_free(mm.get(), r);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("an alignment that is not a power of two is rejected") {
  fastalloc32_config c = small_config();
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  for (size_t align : {size_t(0), size_t(3), size_t(24), size_t(100), SIZE_MAX}) {
    CAPTURE(align);
    CHECK(fastalloc32_aligned_alloc(mm.get(), align, 16) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_BAD_ALIGNMENT);
  }
  CHECK(errors.entries.size() == 5);
  CHECK(stats(mm.get()).mallocs == 0);
}

TEST_CASE("aligned blocks realloc with the manager's alignment and keep their contents") {
  Mm mm = make(small_config());
  void* p = fastalloc32_aligned_alloc(mm.get(), 4096, 3000);
  REQUIRE(p != nullptr);
  fill(p, 3000, 9);
  void* q = fastalloc32_realloc(mm.get(), p, 9000);
  REQUIRE(q != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(q) % 16 == 0);
  CHECK(verify(q, 3000, 9));
  fastalloc32_free(mm.get(), q);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
