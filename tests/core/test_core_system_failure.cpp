// SPDX-License-Identifier: GPL-3.0-or-later
// A failing system allocator: fail the k-th system call for every k of a
// scripted session that uses every path. Each failure must come back as
// NULL with E_NOMEM (or, for the large arena's reservation and the large
// cache's records, send requests to the system path instead; or be asked
// again once the large cache's idle blocks have gone back), the manager
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
  // And when the reservation is refused, create lowers pool_limit: the
  // class grows less and falls back sooner.
  uint64_t pool_grows = 0;
  // Or the refused block was asked for again, and granted, once the large
  // cache's blocks had gone back.
  uint64_t cache_trims = 0;
};

// The scripted session; returns how many system calls it made.
Outcome session(SystemSpy& spy, bool use_maps) {
  fastalloc32_config c = small_config(4096);
  c.pool_limit = 3 * 4096;  // not a power of two: two chunks of growth
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
  for (int i = 0; i < 110; ++i) keep(fastalloc32_malloc(mm, 128));  // grows, then falls back
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
  out.pool_grows = s.pool_grows;
  out.cache_trims = s.large_cache_trims;
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
    CHECK(base.pool_grows == 2);
    CHECK(base.cache_trims == 0);
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
      // sent requests to the system path, or the idle cached blocks went
      // back and the call asked again.
      const bool degraded = o.arena_allocs < base.arena_allocs || o.cache_hits < base.cache_hits ||
                            o.pool_grows < base.pool_grows || o.cache_trims > base.cache_trims;
      CHECK((o.nulls >= 1 || degraded));
      CHECK(spy.mallocs == spy.frees);
      if (use_maps) CHECK(spy.balanced());
    }
  }
}

TEST_CASE("a reservation the system refuses lowers pool_limit until it fits") {
  // The default reserves over 4 GiB of address space; a limit on address
  // space (ulimit -v) refuses it. Here the map hook refuses any map over
  // 1 GiB, as such a limit would.
  SystemSpy spy;
  spy.max_map = size_t(1) << 30;
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  spy.attach(c);
  fastalloc32_status status = FASTALLOC32_E_CORRUPT;
  fastalloc32_mm* mm = fastalloc32_create_with(&c, &status);
  REQUIRE(mm != nullptr);
  CHECK(status == FASTALLOC32_OK);
  CHECK(spy.refused_maps >= 1);
  CHECK(spy.first_map_size <= spy.max_map);
  // sys_maps counts every call to the map hook, the refused ones too (it
  // counted only the one granted).
  CHECK(stats(mm).sys_maps == spy.maps + spy.refused_maps);
  fastalloc32_config running{};
  REQUIRE(fastalloc32_get_config(mm, &running) == FASTALLOC32_OK);
  // Halved from 64 MiB: 64 classes of 8 MiB fit in 1 GiB with their
  // tables, 16 MiB do not.
  CHECK(running.pool_limit == (size_t(8) << 20));
  CHECK(running.pool_size == c.pool_size);
  CHECK(running.class_count == c.class_count);
  // One class past its lowered limit: the rest falls back, counted.
  std::vector<void*> live;
  const size_t blocks = (size_t(12) << 20) / 1024;
  for (size_t i = 0; i < blocks; ++i) {
    void* p = fastalloc32_malloc(mm, 1024);
    REQUIRE(p != nullptr);
    live.push_back(p);
  }
  const fastalloc32_stats s = stats(mm);
  CHECK(s.fallback_allocs > 0);
  CHECK(s.pool_allocs + s.fallback_allocs == blocks);
  CHECK(s.pool_allocs <= running.pool_limit / 1024);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  for (void* p : live) fastalloc32_free(mm, p);
  CHECK(stats(mm).live_allocs.current == 0);
  fastalloc32_destroy(mm);
  CHECK(spy.balanced());
}

TEST_CASE("a reservation refused even at the smallest pool_limit is E_NOMEM") {
  SystemSpy spy;
  spy.max_map = 4096;  // less than any manager's reservation
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  spy.attach(c);
  fastalloc32_status status = FASTALLOC32_OK;
  CHECK(fastalloc32_create_with(&c, &status) == nullptr);
  CHECK(status == FASTALLOC32_E_NOMEM);
  // 64 MiB halved down to the 256 KiB pool_size: nine tries.
  CHECK(spy.refused_maps == 9);
  CHECK(spy.balanced());
}

TEST_CASE("get_config gives the config as created, and refuses NULL") {
  fastalloc32_config c = small_config(4096);
  c.cache_capacity = 7;
  Mm mm = make(c);
  fastalloc32_config running{};
  REQUIRE(fastalloc32_get_config(mm.get(), &running) == FASTALLOC32_OK);
  CHECK(running.cache_capacity == 7);
  CHECK(running.pool_limit == c.pool_limit);
  CHECK(running.block_sizes[3] == c.block_sizes[3]);
  CHECK(fastalloc32_get_config(nullptr, &running) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_config(mm.get(), nullptr) == FASTALLOC32_E_BAD_CONFIG);
}
