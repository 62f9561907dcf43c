// SPDX-License-Identifier: GPL-3.0-or-later
// destroy with live blocks everywhere (the spy and LeakSanitizer see every
// byte given back), secure zeroing, and managers living side by side.
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("destroy releases live, cached and fallback blocks") {
  SystemSpy spy;
  fastalloc32_config c = small_config(4096);
  c.mmap_threshold = 64 * 1024;
  spy.attach(c);
  fastalloc32_mm* mm = fastalloc32_create_with(&c, nullptr);
  REQUIRE(mm != nullptr);
  for (int i = 0; i < 100; ++i) fastalloc32_malloc(mm, 128);  // pool + fallback
  for (size_t size : {200, 3000, 70000, 1000000}) fastalloc32_malloc(mm, size);
  fastalloc32_free(mm, fastalloc32_malloc(mm, 5000));  // into the large cache
  const fastalloc32_stats s = stats(mm);
  CHECK(s.fallback_allocs == 68);
  CHECK(s.live_allocs.current == 104);
  CHECK(spy.mallocs > spy.frees);
  fastalloc32_destroy(mm);
  CHECK(spy.balanced());
}

TEST_CASE("secure_zero wipes freed blocks") {
  fastalloc32_config c = small_config(4096);
  c.secure_zero = 1;
  Mm mm = make(c);
  // Pool: the block stays mapped (it is the manager's), so it can be read.
  auto* p = static_cast<unsigned char*>(fastalloc32_malloc(mm.get(), 64));
  for (int i = 0; i < 64; ++i) p[i] = 0xcc;
  fastalloc32_free(mm.get(), p);
  CHECK(all_zero(p, 64));
  // Large: the freed block sits in the large cache; past the cache's node
  // (kept in its first bytes) nothing of the contents remains.
  auto* big = static_cast<unsigned char*>(fastalloc32_malloc(mm.get(), 4000));
  for (int i = 0; i < 4000; ++i) big[i] = 0xcc;
  fastalloc32_free(mm.get(), big);
  CHECK(all_zero(big + 64, 4000 - 64));
  void* again = fastalloc32_malloc(mm.get(), 4000);
  CHECK(again == big);
  CHECK(stats(mm.get()).large_cache_hits == 1);
  fastalloc32_free(mm.get(), again);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("managers are independent contexts") {
  Mm a = make(small_config());
  Mm b = make(small_config());
  void* pa = fastalloc32_malloc(a.get(), 32);
  void* pb = fastalloc32_malloc(b.get(), 32);
  CHECK(fastalloc32_kind_of(a.get(), pa) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_kind_of(a.get(), pb) == FASTALLOC32_KIND_NONE);
  CHECK(stats(a.get()).live_allocs.current == 1);
  CHECK(stats(b.get()).live_allocs.current == 1);
  a.reset();  // destroying one leaves the other working
  fastalloc32_free(b.get(), pb);
  CHECK(stats(b.get()).live_allocs.current == 0);
  CHECK(fastalloc32_check(b.get()) == FASTALLOC32_OK);
}
