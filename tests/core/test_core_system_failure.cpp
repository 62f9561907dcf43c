// SPDX-License-Identifier: GPL-3.0-or-later
// A failing system allocator: fail the k-th system call for every k of a
// scripted session that uses every path. Each failure must come back as
// NULL with E_NOMEM (or, for the large arena's reservation and the large
// cache's records, send requests to the system path instead), the manager
// must stay intact, and after destroy every malloc and map must have been
// matched by a free and an unmap.
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

struct Outcome {
  uint64_t calls = 0;
  int nulls = 0;
  // What the two optional mappings served: when the large arena or the
  // large cache's records cannot be had, the system path serves instead
  // (no NULL), and these drop.
  uint64_t arena_allocs = 0;
  uint64_t cache_hits = 0;
};

// The scripted session; returns how many system calls it made.
Outcome session(SystemSpy& spy, bool use_maps) {
  fastalloc32_config c = small_config(4096);
  c.pool_limit = 2 * 4096;
  c.mmap_threshold = 32 * 1024;
  c.large_cache_bytes = 64 * 1024;
  c.cache_capacity = 4;
  if (use_maps) {
    spy.attach(c);
  } else {
    spy.attach_malloc(c);
  }
  Outcome out;
  fastalloc32_status status = FASTALLOC32_OK;
  fastalloc32_mm* mm = fastalloc32_create_with(&c, &status);
  if (mm == nullptr) {
    CHECK(status == FASTALLOC32_E_NOMEM);
    out.calls = spy.calls;
    out.nulls = 1;
    return out;
  }
  std::vector<void*> live;
  auto keep = [&](void* p) {
    if (p == nullptr) {
      CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_NOMEM);
      ++out.nulls;
    } else {
      live.push_back(p);
    }
  };
  for (int i = 0; i < 70; ++i) keep(fastalloc32_malloc(mm, 128));  // grows, then falls back
  for (size_t size : {200, 3000, 20000, 50000, 200000}) keep(fastalloc32_malloc(mm, size));
  for (size_t size : {300, 40000}) keep(fastalloc32_calloc(mm, 1, size));
  keep(fastalloc32_aligned_alloc(mm, 8192, 100));
  for (size_t i = 0; i < live.size(); i += 3) {
    void* q = fastalloc32_realloc(mm, live[i], 60000 + i);
    if (q == nullptr) {
      CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_NOMEM);
      CHECK(fastalloc32_usable_size(mm, live[i]) > 0);  // still live
      ++out.nulls;
    } else {
      live[i] = q;
    }
  }
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  for (size_t i = 0; i < live.size(); i += 2) fastalloc32_free(mm, live[i]);
  for (size_t size : {200, 3000, 20000, 50000}) keep(fastalloc32_malloc(mm, size));
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  const fastalloc32_stats s = stats(mm);
  CHECK(s.failed_allocs == static_cast<uint64_t>(out.nulls));
  out.arena_allocs = s.large_arena_allocs;
  out.cache_hits = s.large_cache_hits;
  fastalloc32_destroy(mm);  // with live blocks on every path
  out.calls = spy.calls;
  return out;
}

}  // namespace

TEST_CASE("every system call of a session may fail, and nothing leaks") {
  for (bool use_maps : {true, false}) {
    CAPTURE(use_maps);
    SystemSpy clean;
    const Outcome base = session(clean, use_maps);
    CHECK(base.nulls == 0);
    CHECK(base.arena_allocs > 0);
    CHECK(base.cache_hits > 0);
    CHECK(clean.mallocs == clean.frees);
    if (use_maps) CHECK(clean.balanced());
    // Fallback blocks come from slabs, a few system calls for many blocks.
    REQUIRE(base.calls > 6);
    for (uint64_t k = 1; k <= base.calls; ++k) {
      CAPTURE(k);
      SystemSpy spy;
      spy.fail_at = k;
      const Outcome o = session(spy, use_maps);
      // The failure surfaced as a NULL, or an optional mapping's failure
      // sent requests to the system path.
      const bool degraded = o.arena_allocs < base.arena_allocs || o.cache_hits < base.cache_hits;
      CHECK((o.nulls >= 1 || degraded));
      CHECK(spy.mallocs == spy.frees);
      if (use_maps) CHECK(spy.balanced());
    }
  }
}
