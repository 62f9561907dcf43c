// SPDX-License-Identifier: GPL-3.0-or-later
// realloc across every transition: the pointer, the contents up to the
// smaller size, and exactly which realloc_* counter moved.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

struct Transition {
  const char* name;
  uint64_t fastalloc32_stats::*counter;
};
const Transition kTransitions[] = {
    {"in_place", &fastalloc32_stats::realloc_in_place},
    {"pool_to_pool", &fastalloc32_stats::realloc_pool_to_pool},
    {"pool_to_large", &fastalloc32_stats::realloc_pool_to_large},
    {"large_to_pool", &fastalloc32_stats::realloc_large_to_pool},
    {"large_in_place", &fastalloc32_stats::realloc_large_in_place},
    {"large_moved", &fastalloc32_stats::realloc_large_moved},
    {"fallback", &fastalloc32_stats::realloc_fallback},
};

// Reallocs p (filled with the pattern of id, old_size bytes) to size and
// returns the name of the one realloc_* counter that moved ("" if none or
// several), verifying contents and the invariants.
struct Reallocator {
  fastalloc32_mm* mm;
  std::string moved;

  void* operator()(void* p, size_t old_size, size_t size, uint64_t id) {
    const fastalloc32_stats before = stats(mm);
    void* q = fastalloc32_realloc(mm, p, size);
    const fastalloc32_stats after = stats(mm);
    moved.clear();
    int count = 0;
    for (const Transition& t : kTransitions) {
      const uint64_t d = after.*t.counter - before.*t.counter;
      if (d != 0) {
        count += static_cast<int>(d);
        moved = t.name;
      }
    }
    if (count != 1) moved = "";
    REQUIRE(q != nullptr);
    CHECK(after.reallocs == before.reallocs + 1);
    CHECK(after.live_allocs.current == before.live_allocs.current);
    CHECK(after.bytes_requested.current - before.bytes_requested.current + old_size == size);
    CHECK(verify(q, old_size < size ? old_size : size, id));
    CHECK(fastalloc32_usable_size(mm, q) >= size);
    fill(q, size, id);
    CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
    return q;
  }
};

fastalloc32_config realloc_config() {
  fastalloc32_config c = small_config(4096);  // 32 blocks of 128
  c.mmap_threshold = 64 * 1024;
  return c;
}

}  // namespace

TEST_CASE("realloc(NULL, n) is malloc and realloc(p, 0) is free") {
  Mm mm = make(realloc_config());
  void* p = fastalloc32_realloc(mm.get(), nullptr, 40);
  REQUIRE(p != nullptr);
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.mallocs == 1);
  CHECK(s.reallocs == 0);
  CHECK(fastalloc32_realloc(mm.get(), p, 0) == nullptr);
  s = stats(mm.get());
  CHECK(s.frees == 1);
  CHECK(s.reallocs == 0);
  CHECK(s.live_allocs.current == 0);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_NONE);
  // realloc(NULL, 0) is malloc(0): a minimal block.
  void* z = fastalloc32_realloc(mm.get(), nullptr, 0);
  CHECK(z != nullptr);
  fastalloc32_free(mm.get(), z);
}

TEST_CASE("realloc through pool, large, mapped and back, one counter each") {
  Mm mm = make(realloc_config());
  Reallocator re{mm.get(), {}};
  void* p = fastalloc32_malloc(mm.get(), 20);
  fill(p, 20, 1);

  void* q = re(p, 20, 30, 1);
  CHECK(q == p);
  CHECK(re.moved == "in_place");
  CHECK(class_stats(mm.get(), 1).bytes_requested.current == 30);

  q = re(q, 30, 10, 1);
  CHECK(q == p);
  CHECK(re.moved == "in_place");

  q = re(q, 10, 100, 1);
  CHECK(fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_usable_size(mm.get(), q) == 128);
  CHECK(re.moved == "pool_to_pool");

  q = re(q, 100, 1000, 1);
  CHECK(fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_LARGE);
  CHECK(re.moved == "pool_to_large");

  void* r = re(q, 1000, 1010, 1);  // inside the 1024-byte bucket
  CHECK(r == q);
  CHECK(re.moved == "large_in_place");

  r = re(r, 1010, 700, 1);  // shrinks by less than half: stays
  CHECK(r == q);
  CHECK(re.moved == "large_in_place");

  r = re(r, 700, 5000, 1);
  CHECK(r != q);
  CHECK(re.moved == "large_moved");

  const uint64_t maps = stats(mm.get()).sys_maps;
  r = re(r, 5000, 100 * 1024, 1);
  CHECK(re.moved == "large_moved");
  CHECK(stats(mm.get()).sys_maps == maps + 1);

  const uint64_t remaps = stats(mm.get()).sys_remaps;
  r = re(r, 100 * 1024, 3 * 1024 * 1024, 1);
  CHECK(re.moved == "large_in_place");
  CHECK(stats(mm.get()).sys_remaps == remaps + 1);
  r = re(r, 3 * 1024 * 1024, 200 * 1024, 1);  // shrinking a mapping: mremap too
  CHECK(re.moved == "large_in_place");
  CHECK(stats(mm.get()).sys_remaps == remaps + 2);

  r = re(r, 200 * 1024, 50, 1);
  CHECK(fastalloc32_kind_of(mm.get(), r) == FASTALLOC32_KIND_POOL);
  CHECK(re.moved == "large_to_pool");

  fastalloc32_free(mm.get(), r);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.bytes_requested.current == 0);
  CHECK(s.reallocs == 11);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc from and to fallback blocks") {
  Mm mm = make(realloc_config());
  Reallocator re{mm.get(), {}};
  std::vector<void*> full;
  for (int i = 0; i < 32; ++i) full.push_back(fastalloc32_malloc(mm.get(), 128));
  // pool -> fallback: the 128 class is full.
  void* p = fastalloc32_malloc(mm.get(), 50);
  fill(p, 50, 7);
  void* f = re(p, 50, 120, 7);
  CHECK(fastalloc32_kind_of(mm.get(), f) == FASTALLOC32_KIND_FALLBACK);
  CHECK(re.moved == "fallback");
  // fallback in place, shrinking and growing within the class's block.
  void* g = re(f, 120, 90, 7);
  CHECK(g == f);
  CHECK(re.moved == "fallback");
  g = re(g, 90, 128, 7);
  CHECK(g == f);
  CHECK(re.moved == "fallback");
  // fallback -> pool: a fallback block of the 64 class moves to the 128
  // class once that has room again.
  std::vector<void*> full64;
  while (true) {
    void* q = fastalloc32_malloc(mm.get(), 64);
    if (fastalloc32_kind_of(mm.get(), q) == FASTALLOC32_KIND_FALLBACK) {
      fastalloc32_free(mm.get(), q);
      break;
    }
    full64.push_back(q);
  }
  void* h = fastalloc32_malloc(mm.get(), 40);
  fill(h, 40, 9);
  CHECK(fastalloc32_kind_of(mm.get(), h) == FASTALLOC32_KIND_FALLBACK);
  fastalloc32_free(mm.get(), full.back());
  full.pop_back();
  h = re(h, 40, 100, 9);
  CHECK(fastalloc32_kind_of(mm.get(), h) == FASTALLOC32_KIND_POOL);
  CHECK(re.moved == "fallback");
  // large -> fallback.
  void* big = fastalloc32_malloc(mm.get(), 3000);
  fill(big, 3000, 8);
  void* b = re(big, 3000, 100, 8);
  CHECK(fastalloc32_kind_of(mm.get(), b) == FASTALLOC32_KIND_FALLBACK);
  CHECK(re.moved == "fallback");
  // fallback -> large.
  b = re(b, 100, 3000, 8);
  CHECK(fastalloc32_kind_of(mm.get(), b) == FASTALLOC32_KIND_LARGE);
  CHECK(re.moved == "fallback");
  for (void* x : full) fastalloc32_free(mm.get(), x);
  for (void* x : full64) fastalloc32_free(mm.get(), x);
  fastalloc32_free(mm.get(), g);
  fastalloc32_free(mm.get(), h);
  fastalloc32_free(mm.get(), b);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.realloc_fallback == 6);
  CHECK(s.fallback_allocs == s.fallback_frees);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc to usable_size keeps every kind of block where it is") {
  // The header's way to use the bytes usable_size gives past the request
  // (which alloc_size hides from the compiler): realloc to them first.
  fastalloc32_config c = realloc_config();
  c.large_arena_size = 1 << 20;  // the arena serves 16 KiB up to the 64 KiB threshold
  Mm mm = make(c);
  std::vector<void*> full;
  for (int i = 0; i < 32; ++i) full.push_back(fastalloc32_malloc(mm.get(), 128));
  struct Case {
    size_t size;
    fastalloc32_kind kind;
  };
  // 100: a fallback block (the 128 class is full); 20: a pool block; 3000:
  // a large block from the system malloc; 20000: from the large arena;
  // 100000: mapped.
  for (const Case& k : {Case{100, FASTALLOC32_KIND_FALLBACK}, Case{20, FASTALLOC32_KIND_POOL},
                        Case{3000, FASTALLOC32_KIND_LARGE}, Case{20000, FASTALLOC32_KIND_LARGE},
                        Case{100000, FASTALLOC32_KIND_LARGE}}) {
    CAPTURE(k.size);
    void* p = fastalloc32_malloc(mm.get(), k.size);
    REQUIRE(p != nullptr);
    CHECK(fastalloc32_kind_of(mm.get(), p) == k.kind);
    const size_t usable = fastalloc32_usable_size(mm.get(), p);
    CHECK(usable >= k.size);
    fill(p, k.size, k.size);
    const fastalloc32_stats before = stats(mm.get());
    void* q = fastalloc32_realloc(mm.get(), p, usable);
    CHECK(q == p);
    CHECK(fastalloc32_usable_size(mm.get(), q) == usable);
    CHECK(verify(q, k.size, k.size));
    std::memset(q, 0x5a, usable);
    const fastalloc32_stats after = stats(mm.get());
    CHECK(after.bytes_requested.current - before.bytes_requested.current == usable - k.size);
    CHECK(after.failed_allocs == before.failed_allocs);
    fastalloc32_free(mm.get(), q);
  }
  for (void* x : full) fastalloc32_free(mm.get(), x);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.large_arena_allocs == 1);
  CHECK(s.fallback_allocs == 1);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc to usable_size keeps an aligned large block of a small size where it is") {
  // aligned_alloc(256, 100) with the default classes is a large block (no
  // class both holds 100 bytes and keeps 256-byte alignment), usable to
  // past its request. realloc to usable_size moved it to a 16-byte-aligned
  // class block: the header promises it stays, at the alignment asked for.
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  Mm mm = make(c);
  for (const size_t align : {size_t(256), size_t(4096), size_t(8192), size_t(2) << 20}) {
    for (const size_t size : {size_t(0), size_t(1), size_t(100)}) {
      CAPTURE(align);
      CAPTURE(size);
      void* p = fastalloc32_aligned_alloc(mm.get(), align, size);
      REQUIRE(p != nullptr);
      REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
      const size_t usable = fastalloc32_usable_size(mm.get(), p);
      std::memset(p, 0x5a, usable);
      void* q = fastalloc32_realloc(mm.get(), p, usable);
      CHECK(q == p);
      CHECK(fastalloc32_usable_size(mm.get(), q) == usable);
      CHECK(reinterpret_cast<uintptr_t>(q) % align == 0);
      CHECK(fastalloc32_realloc(mm.get(), q, usable) == q);  // and again
      fastalloc32_free(mm.get(), q);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
  }
  CHECK(stats(mm.get()).live_allocs.current == 0);
}

TEST_CASE("repeated growth copies rarely") {
  Mm mm = make(realloc_config());
  void* p = fastalloc32_malloc(mm.get(), 16);
  fill(p, 16, 3);
  size_t size = 16;
  int moves = 0;
  while (size < 64 * 1024) {
    const size_t next = size + size / 8 + 16;
    void* q = fastalloc32_realloc(mm.get(), p, next);
    REQUIRE(q != nullptr);
    FAST_REQUIRE(verify(q, size, 3));
    fill(q, next, 3);
    if (q != p) ++moves;
    p = q;
    size = next;
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.reallocs > 50);
  CHECK(moves < 20);  // growth reserves half again: O(log n) moves
  fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a failed realloc returns NULL and leaves the block as it was") {
  SystemSpy spy;
  fastalloc32_config c = realloc_config();
  spy.attach(c);
  {
    Mm mm = make(c);
    void* p = fastalloc32_malloc(mm.get(), 100);
    fill(p, 100, 5);
    void* big = fastalloc32_malloc(mm.get(), 2000);
    fill(big, 2000, 6);
    const fastalloc32_stats before = stats(mm.get());
    for (size_t size : {size_t(1000), size_t(10000), size_t(200000)}) {
      CAPTURE(size);
      spy.fail_at = spy.calls + 1;
      CHECK(fastalloc32_realloc(mm.get(), p, size) == nullptr);
      CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_NOMEM);
      spy.fail_at = spy.calls + 1;
      CHECK(fastalloc32_realloc(mm.get(), big, size + 4096) == nullptr);
      CHECK(verify(p, 100, 5));
      CHECK(verify(big, 2000, 6));
      CHECK(fastalloc32_usable_size(mm.get(), p) == 128);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
    spy.fail_at = 0;
    const fastalloc32_stats after = stats(mm.get());
    CHECK(after.failed_allocs == before.failed_allocs + 6);
    CHECK(after.live_allocs.current == before.live_allocs.current);
    CHECK(after.bytes_requested.current == before.bytes_requested.current);
    fastalloc32_free(mm.get(), p);
    fastalloc32_free(mm.get(), big);
  }
  CHECK(spy.balanced());
}

TEST_CASE("realloc of a pointer the manager does not own returns NULL and touches nothing") {
  fastalloc32_config c = realloc_config();
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  unsigned char foreign[64];
  std::memset(foreign, 0x5a, sizeof foreign);
  CHECK(fastalloc32_realloc(mm.get(), foreign, 32) == nullptr);
  for (unsigned char b : foreign) FAST_REQUIRE(b == 0x5a);
  void* p = fastalloc32_malloc(mm.get(), 64);
  CHECK(fastalloc32_realloc(mm.get(), static_cast<char*>(p) + 16, 200) == nullptr);
  void* big = fastalloc32_malloc(mm.get(), 1000);
  CHECK(fastalloc32_realloc(mm.get(), static_cast<char*>(big) + 16, 2000) == nullptr);
  fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_realloc(mm.get(), p, 200) == nullptr);
  fastalloc32_free(mm.get(), big);
  CHECK(fastalloc32_realloc(mm.get(), big, 2000) == nullptr);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.reallocs == 0);
  CHECK(s.invalid_frees == 1);
  CHECK(s.interior_frees == 2);
  CHECK(s.double_frees == 2);
  REQUIRE(errors.entries.size() == 5);
  CHECK(errors.entries[0].status == FASTALLOC32_E_INVALID_FREE);
  CHECK(errors.entries[1].status == FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(errors.entries[2].status == FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(errors.entries[3].status == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(errors.entries[3].ptr == p);
  CHECK(errors.entries[4].status == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(s.live_allocs.current == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

// fastalloc32_realloc moves a pool block to a larger class inline when the
// new class's cache has a block and the old class's cache has room; every
// other case takes realloc_block. Both must give the same results.
TEST_CASE("realloc between classes, inline and when the inline move does not apply") {
  fastalloc32_config c = small_config(4096);  // classes 16, 32, 64, 128
  c.cache_capacity = 2;
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  Reallocator re{mm.get(), {}};
  // Class 128's cache holds one block.
  void* cached = fastalloc32_malloc(mm.get(), 100);
  fastalloc32_free(mm.get(), cached);

  SUBCASE("inline: the cached block of the new class, the old block on its class's cache") {
    // The inline move needs room on the old class's cache, which a class
    // sets up at its first free: one free of class 32 first.
    void* p = fastalloc32_malloc(mm.get(), 20);
    fastalloc32_free(mm.get(), p);
    REQUIRE(fastalloc32_malloc(mm.get(), 20) == p);
    fill(p, 20, 7);
    const fastalloc32_stats before = stats(mm.get());
    void* q = re(p, 20, 100, 7);
    const fastalloc32_stats after = stats(mm.get());
    CHECK(q == cached);
    CHECK(re.moved == "pool_to_pool");
    CHECK(after.mallocs == before.mallocs);
    CHECK(after.frees == before.frees);
    CHECK(after.cache_hits == before.cache_hits + 1);
    CHECK(after.pool_allocs == before.pool_allocs + 1);
    CHECK(class_stats(mm.get(), 1).blocks_in_use.current == 0);
    CHECK(class_stats(mm.get(), 3).blocks_in_use.current == 1);
    CHECK(fastalloc32_malloc(mm.get(), 20) == p);  // from class 32's cache
    fastalloc32_free(mm.get(), p);
    fastalloc32_free(mm.get(), q);
  }
  SUBCASE("the new class's cache is empty: a fresh block") {
    void* other = fastalloc32_malloc(mm.get(), 100);  // takes the cached block
    void* p = fastalloc32_malloc(mm.get(), 20);
    fill(p, 20, 8);
    void* q = re(p, 20, 100, 8);
    CHECK(q != other);
    CHECK(re.moved == "pool_to_pool");
    fastalloc32_free(mm.get(), q);
    fastalloc32_free(mm.get(), other);
  }
  SUBCASE("the old class's cache is full: it spills, the block still moves") {
    void* p = fastalloc32_malloc(mm.get(), 20);
    void* a = fastalloc32_malloc(mm.get(), 20);
    void* b = fastalloc32_malloc(mm.get(), 20);
    fastalloc32_free(mm.get(), a);
    fastalloc32_free(mm.get(), b);
    CHECK(class_stats(mm.get(), 1).cached_blocks == 2);
    fill(p, 20, 9);
    void* q = re(p, 20, 100, 9);
    CHECK(q == cached);
    CHECK(re.moved == "pool_to_pool");
    CHECK(class_stats(mm.get(), 1).blocks_in_use.current == 0);
    fastalloc32_free(mm.get(), q);
  }
  SUBCASE("a freed or interior pointer is reported and nothing moves") {
    void* p = fastalloc32_malloc(mm.get(), 20);
    CHECK(fastalloc32_realloc(mm.get(), static_cast<char*>(p) + 16, 100) == nullptr);
    fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_realloc(mm.get(), p, 100) == nullptr);
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.reallocs == 0);
    CHECK(s.interior_frees == 1);
    CHECK(s.double_frees == 1);
    REQUIRE(errors.entries.size() == 2);
    CHECK(errors.entries[0].status == FASTALLOC32_E_INTERIOR_POINTER);
    CHECK(errors.entries[1].status == FASTALLOC32_E_DOUBLE_FREE);
    CHECK(class_stats(mm.get(), 3).cached_blocks == 1);  // the cached block is still there
    errors.entries.clear();
  }
  CHECK(errors.entries.empty());  // no other subcase reports anything
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.bytes_requested.current == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc between classes with secure_zero zeroes the old block") {
  fastalloc32_config c = small_config(4096);
  c.secure_zero = 1;
  Mm mm = make(c);
  void* cached = fastalloc32_malloc(mm.get(), 100);
  fastalloc32_free(mm.get(), cached);
  auto* p = static_cast<unsigned char*>(fastalloc32_malloc(mm.get(), 20));
  fill(p, 20, 3);
  void* q = fastalloc32_realloc(mm.get(), p, 100);
  REQUIRE(q != nullptr);
  CHECK(q != p);
  CHECK(verify(q, 20, 3));
  CHECK(all_zero(p, 32));  // the old block, still mapped in the pool
  fastalloc32_free(mm.get(), q);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("realloc growth past 4 KiB takes the large path, though a class could hold it") {
  // The default has classes up to 16 KiB; malloc uses them, realloc growth
  // past 4 KiB does not: a block that grows once tends to grow again, and
  // on the large path it grows in place and its old memory merges with its
  // neighbours instead of staying in a class's pool.
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  Reallocator re{mm.get(), {}};
  void* fresh = fastalloc32_malloc(mm.get(), 5000);
  CHECK(fastalloc32_kind_of(mm.get(), fresh) == FASTALLOC32_KIND_POOL);
  CHECK(fastalloc32_usable_size(mm.get(), fresh) == 5120);
  fill(fresh, 5000, 2);

  void* p = fastalloc32_malloc(mm.get(), 3000);
  fill(p, 3000, 1);
  p = re(p, 3000, 4096, 1);  // still a pool class: 4096 is the limit
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(re.moved == "pool_to_pool");
  p = re(p, 4096, 4097, 1);
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
  CHECK(re.moved == "pool_to_large");
  p = re(p, 4097, 3000, 1);  // back below the limit: a pool block again
  CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_POOL);
  CHECK(re.moved == "large_to_pool");

  // A pool block above the limit changes in place while it fits its block,
  // and leaves the pools when it grows past it.
  fresh = re(fresh, 5000, 5100, 2);
  CHECK(re.moved == "in_place");
  fresh = re(fresh, 5100, 4500, 2);
  CHECK(re.moved == "in_place");
  fresh = re(fresh, 4500, 6000, 2);
  CHECK(fastalloc32_kind_of(mm.get(), fresh) == FASTALLOC32_KIND_LARGE);
  CHECK(re.moved == "pool_to_large");

  fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), fresh);
  CHECK(stats(mm.get()).live_allocs.current == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("a large block realloc'd to its usable size stays where it is") {
  // usable_size is the size the block holds: growing to it needs nothing.
  Mm mm(fastalloc32_create());
  REQUIRE(mm != nullptr);
  Reallocator re{mm.get(), {}};
  // From the system malloc (realloc growth past 4 KiB, below the arena's
  // 16 KiB), and from the arena.
  void* heap = fastalloc32_malloc(mm.get(), 3000);
  fill(heap, 3000, 1);
  heap = re(heap, 3000, 4097, 1);
  void* arena = fastalloc32_malloc(mm.get(), 20000);
  fill(arena, 20000, 2);
  uint64_t id = 1;
  for (void* p : {heap, arena}) {
    CAPTURE(id);
    REQUIRE(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
    const size_t old = id == 1 ? 4097 : 20000;
    const size_t usable = fastalloc32_usable_size(mm.get(), p);
    REQUIRE(usable > old);
    CHECK(re(p, old, usable, id) == p);
    CHECK(re.moved == "large_in_place");
    CHECK(fastalloc32_usable_size(mm.get(), p) == usable);
    fastalloc32_free(mm.get(), p);
    ++id;
  }
  CHECK(stats(mm.get()).live_allocs.current == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
