// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_lua_alloc against Lua's lua_Alloc contract, without the
// interpreter: a shrink never fails, and when the smaller block cannot be
// had the old one is kept as a successful call (nothing counted as failed,
// nothing reported, the requested size the one Lua now holds).
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

// Class 64's pool full (pool_limit 0: it never grows), so a block that
// comes back to that class needs the fallback, that is the system malloc.
void fill_class_64(fastalloc32_mm* mm, std::vector<void*>& held) {
  const fastalloc32_class_stats k = class_stats(mm, 2);
  REQUIRE(k.block_size == 64);
  for (uint64_t i = 0; i < k.capacity_blocks; ++i) held.push_back(fastalloc32_malloc(mm, 64));
  REQUIRE(fastalloc32_kind_of(mm, held.back()) == FASTALLOC32_KIND_POOL);
}

}  // namespace

TEST_CASE("a Lua shrink the system cannot serve keeps the block and counts no failure") {
  SystemSpy spy;
  fastalloc32_config c = small_config(4096);
  REQUIRE(c.pool_limit == 0);
  spy.attach_malloc(c);
  ErrorLog errors;
  errors.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> held;
    fill_class_64(mm.get(), held);
    void* big = fastalloc32_lua_alloc(mm.get(), nullptr, 5 /* LUA_TTABLE */, 2000);
    REQUIRE(big != nullptr);
    REQUIRE(fastalloc32_kind_of(mm.get(), big) == FASTALLOC32_KIND_LARGE);
    fill(big, 2000, 7);
    const fastalloc32_stats before = stats(mm.get());

    const uint64_t fail_at = spy.calls + 1;  // the fallback slab's malloc
    spy.fail_at = fail_at;
    void* q = fastalloc32_lua_alloc(mm.get(), big, 2000, 50);
    CHECK(spy.calls >= fail_at);  // the failure was met
    spy.fail_at = 0;
    CHECK(q == big);
    CHECK(verify(big, 50, 7));
    const fastalloc32_stats after = stats(mm.get());
    CHECK(after.failed_allocs == before.failed_allocs);
    CHECK(errors.entries.empty());
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_OK);
    // Lua holds 50 bytes there now: so does the manager's count.
    CHECK(after.bytes_requested.current == before.bytes_requested.current - 1950);
    CHECK(after.live_allocs.current == before.live_allocs.current);
    CHECK(after.reallocs == before.reallocs + 1);
    CHECK(after.realloc_large_in_place == before.realloc_large_in_place + 1);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

    // A resize to the size Lua holds is a shrink too (nsize <= osize): the
    // block, now small enough for a class, tries to move there and, the
    // system refusing again, stays.
    spy.fail_at = spy.calls + 1;
    CHECK(fastalloc32_lua_alloc(mm.get(), big, 50, 50) == big);
    CHECK(spy.calls >= spy.fail_at);
    spy.fail_at = 0;
    CHECK(stats(mm.get()).failed_allocs == before.failed_allocs);
    CHECK(errors.entries.empty());
    CHECK(verify(big, 50, 7));
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

    // Lua frees it with the size it holds.
    CHECK(fastalloc32_lua_alloc(mm.get(), big, 50, 0) == nullptr);
    for (void* p : held) fastalloc32_free(mm.get(), p);
    const fastalloc32_stats end = stats(mm.get());
    CHECK(end.live_allocs.current == 0);
    CHECK(end.bytes_requested.current == 0);
    CHECK(end.invalid_frees + end.double_frees + end.interior_frees == 0);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(spy.balanced());
}

TEST_CASE("a Lua shrink that does get a smaller block moves as realloc does") {
  fastalloc32_config c = small_config(4096);
  Mm mm = make(c);
  std::vector<void*> held;
  fill_class_64(mm.get(), held);
  void* big = fastalloc32_lua_alloc(mm.get(), nullptr, 4 /* LUA_TSTRING */, 2000);
  fill(big, 2000, 8);
  void* q = fastalloc32_lua_alloc(mm.get(), big, 2000, 50);
  REQUIRE(q != nullptr);
  CHECK(fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_FALLBACK);
  CHECK(verify(q, 50, 8));
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.failed_allocs == 0);
  CHECK(s.realloc_fallback == 1);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_lua_alloc(mm.get(), q, 50, 0) == nullptr);
  for (void* p : held) fastalloc32_free(mm.get(), p);
  CHECK(stats(mm.get()).live_allocs.current == 0);
}

TEST_CASE("a Lua growth the system cannot serve is NULL with the block untouched") {
  SystemSpy spy;
  fastalloc32_config c = small_config(4096);
  c.large_arena_size = 0;  // growth takes the system malloc
  spy.attach_malloc(c);
  {
    Mm mm = make(c);
    void* p = fastalloc32_lua_alloc(mm.get(), nullptr, 5, 2000);
    fill(p, 2000, 9);
    const fastalloc32_stats before = stats(mm.get());
    spy.fail_at = spy.calls + 1;
    CHECK(fastalloc32_lua_alloc(mm.get(), p, 2000, 5000) == nullptr);
    spy.fail_at = 0;
    CHECK(verify(p, 2000, 9));
    const fastalloc32_stats after = stats(mm.get());
    CHECK(after.failed_allocs == before.failed_allocs + 1);
    CHECK(after.bytes_requested.current == before.bytes_requested.current);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_NOMEM);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    CHECK(fastalloc32_lua_alloc(mm.get(), p, 2000, 0) == nullptr);
    CHECK(fastalloc32_lua_alloc(mm.get(), nullptr, 7, 0) == nullptr);  // nothing to free, nothing made
    CHECK(fastalloc32_lua_alloc(nullptr, nullptr, 7, 16) == nullptr);
    CHECK(stats(mm.get()).live_allocs.current == 0);
  }
  CHECK(spy.balanced());
}
