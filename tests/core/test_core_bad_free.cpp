// SPDX-License-Identifier: GPL-3.0-or-later
// Double, foreign and interior frees on every path: detected, counted in
// the right counter, reported with the pointer, ignored; the manager stays
// intact and never hands an unknown pointer to the system free.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstdlib>
#include <set>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

struct Fixture {
  SystemSpy spy;
  ErrorLog errors;
  Mm mm;
  Fixture() {
    fastalloc32_config c = small_config(4096);
    c.mmap_threshold = 64 * 1024;
    spy.attach(c);
    errors.attach(c);
    mm = make(c);
  }
  // Frees p and expects exactly one error with status for p.
  void expect_rejected(void* p, fastalloc32_status status) {
    const size_t errors_before = errors.entries.size();
    const uint64_t frees_before = spy.frees;
    const fastalloc32_stats before = stats(mm.get());
    fastalloc32_free(mm.get(), p);
    const fastalloc32_stats after = stats(mm.get());
    REQUIRE(errors.entries.size() == errors_before + 1);
    CHECK(errors.entries.back().status == status);
    CHECK(errors.entries.back().ptr == p);
    CHECK(fastalloc32_last_status(mm.get()) == status);
    CHECK(after.frees == before.frees);
    CHECK(after.live_allocs.current == before.live_allocs.current);
    CHECK(spy.frees == frees_before);  // nothing reached the system free
    CHECK(after.double_frees - before.double_frees == (status == FASTALLOC32_E_DOUBLE_FREE ? 1u : 0u));
    CHECK(after.invalid_frees - before.invalid_frees == (status == FASTALLOC32_E_INVALID_FREE ? 1u : 0u));
    CHECK(after.interior_frees - before.interior_frees ==
          (status == FASTALLOC32_E_INTERIOR_POINTER ? 1u : 0u));
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
};

}  // namespace

TEST_CASE("double free of a pool block is detected and does not corrupt the free list") {
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  void* a = fastalloc32_malloc(mm, 24);
  void* b = fastalloc32_malloc(mm, 24);
  fastalloc32_free(mm, a);
  f.expect_rejected(a, FASTALLOC32_E_DOUBLE_FREE);
  f.expect_rejected(a, FASTALLOC32_E_DOUBLE_FREE);
  // The block is handed out once, not twice.
  std::set<void*> seen{b};
  for (int i = 0; i < 127; ++i) {
    void* p = fastalloc32_malloc(mm, 24);
    CHECK(fastalloc32_kind_of(mm, p) == FASTALLOC32_KIND_POOL);
    CHECK(seen.insert(p).second);
  }
  CHECK(fastalloc32_kind_of(mm, fastalloc32_malloc(mm, 24)) == FASTALLOC32_KIND_FALLBACK);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
}

TEST_CASE("double free through the free list (cache full) is detected too") {
  fastalloc32_config c = small_config(4096);
  c.cache_capacity = 0;
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  void* a = fastalloc32_malloc(mm.get(), 8);
  fastalloc32_free(mm.get(), a);
  fastalloc32_free(mm.get(), a);
  CHECK(stats(mm.get()).double_frees == 1);
  CHECK(fastalloc32_malloc(mm.get(), 8) == a);
  CHECK(fastalloc32_malloc(mm.get(), 8) != a);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("double free of large and fallback blocks is detected") {
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  void* big = fastalloc32_malloc(mm, 3000);
  void* mapped = fastalloc32_malloc(mm, 100000);
  std::vector<void*> full;
  for (int i = 0; i < 32; ++i) full.push_back(fastalloc32_malloc(mm, 128));
  void* fb = fastalloc32_malloc(mm, 128);
  REQUIRE(fastalloc32_kind_of(mm, fb) == FASTALLOC32_KIND_FALLBACK);
  fastalloc32_free(mm, big);
  fastalloc32_free(mm, mapped);
  fastalloc32_free(mm, fb);
  f.expect_rejected(big, FASTALLOC32_E_DOUBLE_FREE);
  f.expect_rejected(mapped, FASTALLOC32_E_DOUBLE_FREE);
  f.expect_rejected(fb, FASTALLOC32_E_DOUBLE_FREE);
  for (void* p : full) fastalloc32_free(mm, p);
}

TEST_CASE("foreign pointers are rejected, never passed to the system free") {
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  int on_stack = 0;
  f.expect_rejected(&on_stack, FASTALLOC32_E_INVALID_FREE);
  void* from_libc = std::malloc(64);
  f.expect_rejected(from_libc, FASTALLOC32_E_INVALID_FREE);
  std::free(from_libc);
  static int in_data = 0;
  f.expect_rejected(&in_data, FASTALLOC32_E_INVALID_FREE);
  // Another manager's block.
  Mm other = make(small_config());
  void* theirs = fastalloc32_malloc(other.get(), 16);
  f.expect_rejected(theirs, FASTALLOC32_E_INVALID_FREE);
  CHECK(fastalloc32_kind_of(other.get(), theirs) == FASTALLOC32_KIND_POOL);
  fastalloc32_free(other.get(), theirs);
  // Inside the pool region but never handed out.
  void* p = fastalloc32_malloc(mm, 16);
  f.expect_rejected(static_cast<char*>(p) + 16 * 10, FASTALLOC32_E_INVALID_FREE);
  fastalloc32_free(mm, p);
  CHECK(stats(mm).invalid_frees == 5);
}

TEST_CASE("interior pointers are rejected on every path") {
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  char* small = static_cast<char*>(fastalloc32_malloc(mm, 64));
  char* big = static_cast<char*>(fastalloc32_malloc(mm, 3000));
  char* mapped = static_cast<char*>(fastalloc32_malloc(mm, 100000));
  f.expect_rejected(small + 1, FASTALLOC32_E_INTERIOR_POINTER);
  f.expect_rejected(small + 16, FASTALLOC32_E_INTERIOR_POINTER);
  f.expect_rejected(big + 16, FASTALLOC32_E_INTERIOR_POINTER);
  f.expect_rejected(big + 2999, FASTALLOC32_E_INTERIOR_POINTER);
  f.expect_rejected(mapped + 4096, FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(fastalloc32_usable_size(mm, small + 16) == 0);
  CHECK(fastalloc32_kind_of(mm, big + 16) == FASTALLOC32_KIND_NONE);
  // The blocks themselves are intact and free normally.
  fastalloc32_free(mm, small);
  fastalloc32_free(mm, big);
  fastalloc32_free(mm, mapped);
  const fastalloc32_stats s = stats(mm);
  CHECK(s.interior_frees == 5);
  CHECK(s.live_allocs.current == 0);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
}

TEST_CASE("without an error callback bad frees are still counted and ignored") {
  Mm mm = make(small_config());
  void* p = fastalloc32_malloc(mm.get(), 16);
  fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), p);
  fastalloc32_free(mm.get(), static_cast<char*>(p) + 3);
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.double_frees == 1);
  CHECK(s.interior_frees == 1);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INTERIOR_POINTER);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("the pointer a moving mremap left behind is a double free") {
  fastalloc32_config c = small_config(4096);
  c.mmap_threshold = 64 * 1024;  // default mmap: growth by mremap
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  auto* p = static_cast<char*>(fastalloc32_malloc(mm.get(), 128 * 1024));
  REQUIRE(p != nullptr);
  const size_t usable = fastalloc32_usable_size(mm.get(), p);
  // A mapping right after the block: it cannot grow in place.
  void* wall = mmap(p + usable, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void* q = fastalloc32_realloc(mm.get(), p, 4 * 1024 * 1024);
  REQUIRE(q != nullptr);
  REQUIRE(q != p);
  CHECK(stats(mm.get()).sys_remaps == 1);
  fastalloc32_free(mm.get(), p);
  fastalloc32_status status = fastalloc32_last_status(mm.get());
  CHECK(status == FASTALLOC32_E_DOUBLE_FREE);
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.double_frees == 1);
  CHECK(s.invalid_frees == 0);
  fastalloc32_free(mm.get(), q);
  fastalloc32_free(mm.get(), q);
  CHECK(stats(mm.get()).double_frees == 2);
  REQUIRE(errors.entries.size() == 2);
  CHECK(errors.entries[0].ptr == p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  if (wall != MAP_FAILED) munmap(wall, 4096);
}

TEST_CASE("a large block freed before the last 64 large or fallback frees counts as an invalid free") {
  // The header says so: the manager remembers the last 64 of those
  // pointers, not every pointer it ever handed out (the memory may have
  // gone back to the system, and another owner may hold it).
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  void* old = fastalloc32_malloc(mm, 3000);
  REQUIRE(old != nullptr);
  fastalloc32_free(mm, old);
  f.expect_rejected(old, FASTALLOC32_E_DOUBLE_FREE);
  std::vector<void*> others;
  for (int i = 0; i < 64; ++i) others.push_back(fastalloc32_malloc(mm, 5000 + i * 200));
  for (void* p : others) {
    REQUIRE(p != nullptr);
    REQUIRE(p != old);
  }
  for (void* p : others) fastalloc32_free(mm, p);
  f.expect_rejected(old, FASTALLOC32_E_INVALID_FREE);
  // The most recent ones are still known.
  f.expect_rejected(others.back(), FASTALLOC32_E_DOUBLE_FREE);
}

TEST_CASE("the block just past the last one handed out, and the byte past a large block, are invalid frees") {
  // Each is the first address beyond what the manager handed out: the next
  // pool block (never used, at the class's bump), the next block of a
  // fallback slab, the byte after a large block. None is a block the
  // caller could have freed before, nor inside one.
  Fixture f;
  fastalloc32_mm* mm = f.mm.get();
  auto* small = static_cast<char*>(fastalloc32_malloc(mm, 16));
  REQUIRE(fastalloc32_kind_of(mm, small) == FASTALLOC32_KIND_POOL);
  f.expect_rejected(small + fastalloc32_usable_size(mm, small), FASTALLOC32_E_INVALID_FREE);

  std::vector<void*> full;
  for (int i = 0; i < 32; ++i) full.push_back(fastalloc32_malloc(mm, 128));
  auto* fb = static_cast<char*>(fastalloc32_malloc(mm, 128));
  REQUIRE(fastalloc32_kind_of(mm, fb) == FASTALLOC32_KIND_FALLBACK);
  f.expect_rejected(fb + fastalloc32_usable_size(mm, fb), FASTALLOC32_E_INVALID_FREE);

  auto* big = static_cast<char*>(fastalloc32_malloc(mm, 3000));
  REQUIRE(fastalloc32_kind_of(mm, big) == FASTALLOC32_KIND_LARGE);
  f.expect_rejected(big + fastalloc32_usable_size(mm, big), FASTALLOC32_E_INVALID_FREE);
  f.expect_rejected(big + fastalloc32_usable_size(mm, big) - 1, FASTALLOC32_E_INTERIOR_POINTER);

  // The blocks themselves are untouched and free normally.
  fastalloc32_free(mm, small);
  fastalloc32_free(mm, fb);
  fastalloc32_free(mm, big);
  for (void* p : full) fastalloc32_free(mm, p);
  const fastalloc32_stats s = stats(mm);
  CHECK(s.invalid_frees == 3);
  CHECK(s.interior_frees == 1);
  CHECK(s.double_frees == 0);
  CHECK(s.live_allocs.current == 0);
}
