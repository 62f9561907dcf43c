// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_lua_alloc against Lua's lua_Alloc contract, without the
// interpreter: a shrink never fails, and when the smaller block cannot be
// had the old one is kept as a successful call (nothing counted as failed,
// nothing reported, the requested size the one Lua now holds).
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
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

namespace {

// System hooks with a byte budget, malloc and map alike: past it the system
// refuses, as an embedder's memory limit (or the kernel's) does.
struct Budget {
  size_t limit = SIZE_MAX;
  size_t used = 0;
  uint64_t refusals = 0;

  bool take(size_t size) {
    if (size > limit || used > limit - size) {
      ++refusals;
      return false;
    }
    used += size;
    return true;
  }
  static void* do_malloc(size_t size, void* user) {
    auto* b = static_cast<Budget*>(user);
    if (!b->take(size)) return nullptr;
    // The size in front of the block (16 bytes, so alignment holds).
    auto* raw = static_cast<unsigned char*>(std::malloc(size + 16));
    if (raw == nullptr) std::abort();
    std::memcpy(raw, &size, sizeof size);
    return raw + 16;
  }
  static void do_free(void* ptr, void* user) {
    if (ptr == nullptr) return;
    unsigned char* raw = static_cast<unsigned char*>(ptr) - 16;
    size_t size = 0;
    std::memcpy(&size, raw, sizeof size);
    static_cast<Budget*>(user)->used -= size;
    std::free(raw);
  }
  static void* do_map(size_t size, void* user) {
    auto* b = static_cast<Budget*>(user);
    if (!b->take(size)) return nullptr;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    return p;
  }
  static void do_unmap(void* ptr, size_t size, void* user) {
    static_cast<Budget*>(user)->used -= size;
    munmap(ptr, size);
  }
  void attach(fastalloc32_config& c) { c.system = {do_malloc, do_free, do_map, do_unmap, this}; }
};

}  // namespace

// Lua raises "not enough memory" when its allocation function returns NULL
// after a full collection. A manager that keeps freed memory idle (the large
// cache, an empty fallback slab) must give it back and ask the system again
// before it answers NULL: under a memory limit, the memory it keeps is
// memory Lua cannot have.
TEST_CASE("under a memory limit, the large cache's blocks go back before a Lua allocation fails") {
  Budget budget;
  fastalloc32_config c = small_config(4096);
  c.large_arena_size = 0;         // large blocks from the system malloc
  c.mmap_threshold = SIZE_MAX;    // never a mapping
  c.large_cache_bytes = 8 << 20;  // a freed 2 MiB block stays cached
  budget.attach(c);
  {
    Mm mm = make(c);
    budget.limit = budget.used + (3 << 20);
    void* a = fastalloc32_lua_alloc(mm.get(), nullptr, 4 /* LUA_TSTRING */, 2 << 20);
    REQUIRE(a != nullptr);
    CHECK(fastalloc32_lua_alloc(mm.get(), a, 2 << 20, 0) == nullptr);
    REQUIRE(stats(mm.get()).footprint_now.large_cache == (2u << 20));
    // 2.5 MiB: too big for the cached block, and within the limit only
    // once the cached block has gone back.
    void* b = fastalloc32_lua_alloc(mm.get(), nullptr, 4, (5 << 20) / 2);
    CHECK(b != nullptr);
    CHECK(budget.refusals == 1);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.failed_allocs == 0);
    CHECK(s.large_cache_trims == 1);
    CHECK(s.footprint_now.large_cache == 0);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_OK);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    if (b != nullptr) {
      fill(b, (5 << 20) / 2, 3);
      CHECK(verify(b, (5 << 20) / 2, 3));
      CHECK(fastalloc32_lua_alloc(mm.get(), b, (5 << 20) / 2, 0) == nullptr);
    }
    // Nothing idle left: a request past the limit is NULL, reported once.
    CHECK(fastalloc32_lua_alloc(mm.get(), nullptr, 4, 4 << 20) == nullptr);
    CHECK(stats(mm.get()).failed_allocs == 1);
    CHECK(stats(mm.get()).live_allocs.current == 0);
  }
  CHECK(budget.used == 0);
}

TEST_CASE("under a memory limit, an empty fallback slab goes back before a Lua allocation fails") {
  Budget budget;
  fastalloc32_config c = small_config(65520);
  c.class_count = 1;  // one class of 65520-byte blocks, one block in its pool
  c.block_sizes[0] = 65520;
  c.pool_limit = 0;
  c.large_arena_size = 0;
  c.mmap_threshold = SIZE_MAX;
  c.large_cache_bytes = 0;
  budget.attach(c);
  {
    Mm mm = make(c);
    void* pooled = fastalloc32_lua_alloc(mm.get(), nullptr, 4, 65520);
    REQUIRE(fastalloc32_kind_of(mm.get(), pooled) == FASTALLOC32_KIND_POOL);
    // The pool is full: the next block comes from a fallback slab of 16
    // such blocks (1 MiB), kept when its one block is freed.
    void* spilled = fastalloc32_lua_alloc(mm.get(), nullptr, 4, 65520);
    REQUIRE(fastalloc32_kind_of(mm.get(), spilled) == FASTALLOC32_KIND_FALLBACK);
    CHECK(fastalloc32_lua_alloc(mm.get(), spilled, 65520, 0) == nullptr);
    const uint64_t kept = stats(mm.get()).footprint_now.fallback;
    REQUIRE(kept > 16 * 65520);
    budget.limit = budget.used - kept + (5 << 20) / 4 + (128 << 10);
    // 1.25 MiB: within the limit only once the empty slab has gone back.
    void* big = fastalloc32_lua_alloc(mm.get(), nullptr, 5 /* LUA_TTABLE */, (5 << 20) / 4);
    CHECK(big != nullptr);
    CHECK(budget.refusals == 1);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.failed_allocs == 0);
    CHECK(s.footprint_now.fallback < kept - 16 * 65520);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    if (big != nullptr) CHECK(fastalloc32_lua_alloc(mm.get(), big, (5 << 20) / 4, 0) == nullptr);
    // The class overflows again: a new slab is made.
    budget.limit = SIZE_MAX;
    spilled = fastalloc32_lua_alloc(mm.get(), nullptr, 4, 65520);
    CHECK(fastalloc32_kind_of(mm.get(), spilled) == FASTALLOC32_KIND_FALLBACK);
    CHECK(fastalloc32_lua_alloc(mm.get(), spilled, 65520, 0) == nullptr);
    CHECK(fastalloc32_lua_alloc(mm.get(), pooled, 65520, 0) == nullptr);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    CHECK(stats(mm.get()).live_allocs.current == 0);
  }
  CHECK(budget.used == 0);
}
