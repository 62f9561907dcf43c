// SPDX-License-Identifier: GPL-3.0-or-later
// malloc/free/calloc basics and the C edge cases (size 0, SIZE_MAX, NULL).
#include <doctest/doctest.h>

#include <cstring>
#include <set>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("default manager: malloc, write, free, stats balance") {
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  void* p = fastalloc32_malloc(mm.get(), 100);
  REQUIRE(p != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_usable_size(mm.get(), p) == 128);
  std::memset(p, 0xab, 100);
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.mallocs == 1);
  CHECK(s.pool_allocs == 1);
  CHECK(s.fresh_blocks == 1);
  CHECK(s.live_allocs.current == 1);
  CHECK(s.bytes_requested.current == 100);
  CHECK(s.bytes_reserved.current == 128);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  fastalloc32_free(mm.get(), p);
  s = stats(mm.get());
  CHECK(s.frees == 1);
  CHECK(s.live_allocs.current == 0);
  CHECK(s.live_allocs.peak == 1);
  CHECK(s.bytes_requested.current == 0);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_NONE);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
