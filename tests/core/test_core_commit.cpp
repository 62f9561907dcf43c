// SPDX-License-Identifier: GPL-3.0-or-later
// Commit accounting: memory handed to a caller is mapped so that the
// kernel's overcommit policy applies to it, as glibc maps its own, so a
// request the system cannot back fails with E_NOMEM where glibc's malloc
// fails, on every path (mmap, mremap, the large arena, the system malloc).
// Address-space reservations (pools, the arena's unused end) stay free of
// commit charge.
#include <doctest/doctest.h>
#include <sys/sysinfo.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

#if defined(__GLIBC__)
// glibc's own malloc, past any interposed one (the sanitizers' allocator
// aborts on a request it cannot serve instead of returning NULL).
extern "C" void* __libc_malloc(size_t size);
extern "C" void __libc_free(void* ptr);
#endif

using namespace fa32_test;

namespace {

constexpr size_t KiB = 1024;
constexpr size_t MiB = 1024 * KiB;
constexpr size_t GiB = 1024 * MiB;
constexpr size_t TiB = 1024 * GiB;

int overcommit_mode() {
  std::ifstream in("/proc/sys/vm/overcommit_memory");
  int mode = -1;
  in >> mode;
  return mode;
}

// More than the machine's memory and swap together: the heuristic
// overcommit policy (the kernel's default) refuses any single request this
// large.
size_t beyond_memory() {
  struct sysinfo si {};
  REQUIRE(sysinfo(&si) == 0);
  return (size_t(si.totalram) + size_t(si.totalswap)) * si.mem_unit + GiB;
}

#if defined(__GLIBC__)
bool glibc_serves(size_t size) {
  void* p = __libc_malloc(size);
  __libc_free(p);
  return p != nullptr;
}
void* glibc_malloc(size_t size, void*) {
  return __libc_malloc(size);
}
void glibc_free(void* p, void*) {
  __libc_free(p);
}
#endif

// One request through fastalloc32: NULL exactly when glibc's malloc gives
// NULL for the same size, and then with E_NOMEM.
void expect_agrees(fastalloc32_mm* mm, void* p, bool glibc) {
  CHECK((p != nullptr) == glibc);
  if (p == nullptr) {
    CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_NOMEM);
  } else {
    CHECK(fastalloc32_kind_of(mm, p) == FASTALLOC32_KIND_LARGE);
    fastalloc32_free(mm, p);
  }
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
}

}  // namespace

#if defined(__GLIBC__)

namespace {

void mmap_path(size_t size, bool glibc) {
  Mm mm = make(original_config());
  expect_agrees(mm.get(), fastalloc32_malloc(mm.get(), size), glibc);
  expect_agrees(mm.get(), fastalloc32_calloc(mm.get(), 1, size), glibc);
  expect_agrees(mm.get(), fastalloc32_aligned_alloc(mm.get(), 64 * KiB, size), glibc);
  // A mapped block growing by mremap: on failure the old block stays as it was.
  void* p = fastalloc32_malloc(mm.get(), 2 * MiB);
  REQUIRE(p != nullptr);
  fill(p, 2 * MiB, 1);
  void* q = fastalloc32_realloc(mm.get(), p, size);
  expect_agrees(mm.get(), q, glibc);
  if (q == nullptr) {
    CHECK(verify(p, 2 * MiB, 1));
    fastalloc32_free(mm.get(), p);
  }
  CHECK(stats(mm.get()).live_allocs.current == 0);
}

void arena_path(size_t size, bool glibc) {
  fastalloc32_config c = original_config();
  c.mmap_threshold = SIZE_MAX;  // every large request below it: the arena first
  c.large_arena_size = size + GiB;
  c.system.malloc = glibc_malloc;
  c.system.free = glibc_free;
  Mm mm = make(c);
  void* big = fastalloc32_malloc(mm.get(), size);
  const bool agreed = (big != nullptr) == glibc;
  expect_agrees(mm.get(), big, glibc);
  // calloc clears a span the arena handed out before: only where it must
  // fail, and did, so the test never writes gigabytes.
  if (agreed && !glibc) expect_agrees(mm.get(), fastalloc32_calloc(mm.get(), 1, size), glibc);
  // The arena still serves what the system can back, and a block at its end
  // cannot grow past what the system can back either.
  void* p = fastalloc32_malloc(mm.get(), 64 * KiB);
  REQUIRE(p != nullptr);
  CHECK(stats(mm.get()).large_arena_allocs >= 1);
  fill(p, 64 * KiB, 2);
  void* q = fastalloc32_realloc(mm.get(), p, size);
  expect_agrees(mm.get(), q, glibc);
  if (q == nullptr) {
    CHECK(verify(p, 64 * KiB, 2));
    CHECK(fastalloc32_usable_size(mm.get(), p) == 64 * KiB);
    fastalloc32_free(mm.get(), p);
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.sys_commits >= 2);  // the tags, then pages as the arena's end reached them
}

void malloc_path(size_t size, bool glibc) {
  fastalloc32_config c = original_config();
  c.mmap_threshold = SIZE_MAX;
  c.large_arena_size = 0;
  c.system.malloc = glibc_malloc;
  c.system.free = glibc_free;
  Mm mm = make(c);
  expect_agrees(mm.get(), fastalloc32_malloc(mm.get(), size), glibc);
}

}  // namespace

TEST_CASE("a request the system cannot back fails with E_NOMEM where glibc's malloc fails") {
  MESSAGE("overcommit_memory = " << overcommit_mode());
  for (size_t size : {TiB, beyond_memory()}) {
    CAPTURE(size);
    const bool glibc = glibc_serves(size);
    // The kernel's default heuristic refuses a single request above memory
    // plus swap: the test then tells the fixed allocator from the old one.
    if (overcommit_mode() == 0) REQUIRE_FALSE(glibc);
    mmap_path(size, glibc);
    if (size <= 200 * GiB) {
      arena_path(size, glibc);
    } else {
      MESSAGE("larger than any large arena: arena path skipped");
    }
    malloc_path(size, glibc);
  }
}

#endif

TEST_CASE("blocks handed out are commit-charged mappings, reservations are not") {
  if (overcommit_mode() == 2) {
    MESSAGE("overcommit_memory = 2 charges every writable mapping: nothing to tell apart");
    return;
  }
  fastalloc32_config c = small_config();
  c.mmap_threshold = 256 * KiB;
  Mm mm = make(c);
  void* pool = fastalloc32_malloc(mm.get(), 64);
  void* arena = fastalloc32_malloc(mm.get(), 64 * KiB);
  void* mapped = fastalloc32_malloc(mm.get(), 2 * MiB);
  REQUIRE((pool && arena && mapped));
  REQUIRE(stats(mm.get()).large_arena_allocs == 1);
  std::memset(arena, 1, 64 * KiB);
  std::memset(mapped, 1, 2 * MiB);
  // The pool is a reservation: address space, charged as it is used.
  CHECK(has_flag(vm_flags(pool), "nr"));
  for (void* p : {arena, mapped}) {
    const std::string flags = vm_flags(p);
    CAPTURE(flags);
    CHECK(has_flag(flags, "ac"));
    CHECK_FALSE(has_flag(flags, "nr"));
  }
  // Grown by mremap, the block keeps its charge.
  void* grown = fastalloc32_realloc(mm.get(), mapped, 8 * MiB);
  REQUIRE(grown != nullptr);
  CHECK(has_flag(vm_flags(grown), "ac"));
  for (void* p : {pool, arena, grown}) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("the arena makes its pages usable a MiB at a time, as its end first reaches them") {
  fastalloc32_config c = small_config();
  c.large_cache_bytes = 0;
  Mm mm = make(c);
  std::vector<void*> ptrs;
  for (int i = 0; i < 16; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 64 * KiB));
  fastalloc32_stats s = stats(mm.get());
  CHECK(s.large_arena_allocs == 16);
  CHECK(s.sys_commits == 2);  // the tags, then the first MiB
  ptrs.push_back(fastalloc32_malloc(mm.get(), 64 * KiB));
  CHECK(stats(mm.get()).sys_commits == 3);
  for (void* p : ptrs) {
    REQUIRE(p != nullptr);
    std::memset(p, 1, 64 * KiB);
  }
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  // Reuse costs no system call.
  ptrs.clear();
  for (int i = 0; i < 17; ++i) ptrs.push_back(fastalloc32_malloc(mm.get(), 64 * KiB));
  s = stats(mm.get());
  CHECK(s.sys_commits == 3);
  CHECK(s.large_arena_allocs == 34);
  for (void* p : ptrs) fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);

  // A map hook's memory is read-write from the start: nothing to commit.
  SystemSpy spy;
  fastalloc32_config h = small_config();
  spy.attach(h);
  {
    Mm hooked = make(h);
    void* p = fastalloc32_malloc(hooked.get(), 64 * KiB);
    REQUIRE(p != nullptr);
    CHECK(stats(hooked.get()).large_arena_allocs == 1);
    CHECK(stats(hooked.get()).sys_commits == 0);
    fastalloc32_free(hooked.get(), p);
  }
  CHECK(spy.balanced());
}
