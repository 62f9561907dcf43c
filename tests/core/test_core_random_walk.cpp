// SPDX-License-Identifier: GPL-3.0-or-later
// A seeded random walk over every path: about a million malloc / calloc /
// realloc / free / aligned_alloc calls on configs small enough that pools
// fill, grow and fall back, and large blocks are cached, mapped and
// remapped. Every block carries a pattern from its id, verified before it
// is freed and after every realloc; the invariants are checked every few
// thousand operations; the walk ends with nothing live and balanced stats.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

size_t random_size(std::mt19937_64& rng) {
  const uint64_t r = rng() % 1000;
  if (r < 650) return rng() % 129;                 // pool sizes, 0 included
  if (r < 950) return 129 + rng() % 2048;          // small large blocks
  if (r < 995) return 2048 + rng() % (30 * 1024);  // bigger, some mapped
  return 64 * 1024 + rng() % (200 * 1024);         // mapped, remapped
}

// Aligned requests take alignments up to 2^(max_align_log - 1). Returns
// the large reallocs that moved. moves_by_chance: the caller checks that
// path (see the mmap_threshold 0 walk), not each walk. last: the stats at
// the end. phased: in phases of 25 000 calls the small requests move
// between the lower and the upper half of the pool sizes while the blocks
// kept live grow by 400 a phase, so one set of classes empties while the
// other sets new footprint peaks.
uint64_t walk(fastalloc32_config config, uint64_t seed, int ops, bool spy_maps, unsigned max_align_log = 14,
              bool moves_by_chance = false, fastalloc32_stats* last = nullptr, bool phased = false) {
  uint64_t moved = 0;
  SystemSpy spy;
  if (spy_maps) {
    spy.attach(config);
  } else {
    spy.attach_malloc(config);
  }
  ErrorLog errors;
  errors.attach(config);
  {
    Mm holder = make(config);
    fastalloc32_mm* mm = holder.get();
    std::mt19937_64 rng(seed);
    std::vector<Block> live;
    uint64_t next_id = 1;
    for (int op = 0; op < ops; ++op) {
      const uint64_t r = rng() % 100;
      // Keep a few thousand blocks live; shrink when above, grow when below.
      const size_t phase = phased ? size_t(op) / 25000 : 0;
      const bool grow = live.size() < 2000 + 400 * phase ? r < 55 : r < 40;
      if (grow || live.empty()) {
        size_t size = random_size(rng);
        if (phased && size <= 128) size = phase % 2 == 0 ? size / 2 : 65 + size / 2;
        const uint64_t id = next_id++;
        void* p = nullptr;
        const uint64_t how = rng() % 10;
        if (how < 6) {
          p = fastalloc32_malloc(mm, size);
        } else if (how < 8) {
          p = fastalloc32_calloc(mm, 1, size);
          FAST_REQUIRE(p != nullptr);
          FAST_REQUIRE(all_zero(p, size));
        } else if (how < 9) {
          p = fastalloc32_realloc(mm, nullptr, size);
        } else {
          const size_t align = size_t(1) << (rng() % max_align_log);  // 1 .. 8 KiB by default
          p = fastalloc32_aligned_alloc(mm, align, size);
          FAST_REQUIRE(p != nullptr);
          FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % align == 0);
        }
        FAST_REQUIRE(p != nullptr);
        FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % config.alignment == 0);
        FAST_REQUIRE(fastalloc32_usable_size(mm, p) >= size);
        fill(p, size, id);
        live.push_back({p, size, id});
      } else if (r < 75) {
        const size_t at = rng() % live.size();
        Block b = live[at];
        FAST_REQUIRE(verify(b.ptr, b.size, b.id));
        live[at] = live.back();
        live.pop_back();
        fastalloc32_free(mm, b.ptr);
      } else {
        Block& b = live[rng() % live.size()];
        FAST_REQUIRE(verify(b.ptr, b.size, b.id));
        // Grow, shrink, or stay near the current size.
        size_t size = random_size(rng);
        if (rng() % 3 == 0) size = b.size + rng() % 64;
        if (size == 0) size = 1;  // realloc(p, 0) frees: covered elsewhere
        void* q = fastalloc32_realloc(mm, b.ptr, size);
        FAST_REQUIRE(q != nullptr);
        FAST_REQUIRE(reinterpret_cast<uintptr_t>(q) % config.alignment == 0);
        FAST_REQUIRE(verify(q, size < b.size ? size : b.size, b.id));
        b.ptr = q;
        b.size = size;
        fill(q, size, b.id);
      }
      if (op % 4096 == 0) FAST_REQUIRE(fastalloc32_check(mm) == FASTALLOC32_OK);
    }
    REQUIRE(fastalloc32_check(mm) == FASTALLOC32_OK);
    fastalloc32_stats s = stats(mm);
    CHECK(s.live_allocs.current == live.size());
    CHECK(live_count(mm) == live.size());
    for (const Block& b : live) {
      REQUIRE(verify(b.ptr, b.size, b.id));
      fastalloc32_free(mm, b.ptr);
    }
    REQUIRE(fastalloc32_check(mm) == FASTALLOC32_OK);
    s = stats(mm);
    CHECK(s.live_allocs.current == 0);
    CHECK(s.mallocs == s.frees);
    CHECK(s.bytes_requested.current == 0);
    CHECK(s.bytes_reserved.current == 0);
    CHECK(s.pool_allocs == s.pool_frees);
    CHECK(s.large_allocs == s.large_frees);
    CHECK(s.fallback_allocs == s.fallback_frees);
    CHECK(live_count(mm) == 0);
    // Every path was exercised.
    CHECK(s.cache_hits > 0);
    CHECK(s.freelist_hits > 0);
    CHECK(s.fresh_blocks > 0);
    CHECK(s.large_allocs > 0);
    CHECK(s.large_cache_hits > 0);
    CHECK(s.fallback_allocs > 0);
    CHECK(s.realloc_in_place > 0);
    CHECK(s.realloc_pool_to_pool > 0);
    CHECK(s.realloc_pool_to_large > 0);
    CHECK(s.realloc_large_to_pool > 0);
    CHECK(s.realloc_large_in_place > 0);
    if (!moves_by_chance) CHECK(s.realloc_large_moved > 0);
    moved = s.realloc_large_moved;
    if (last != nullptr) *last = s;
    CHECK(s.realloc_fallback > 0);
    // The arena serves large requests from 16 KiB below the mmap threshold.
    CHECK((s.large_arena_allocs > 0) == (config.large_arena_size != 0 && config.mmap_threshold > 16 * 1024));
    // mremap only when the map hooks are mmap itself.
    CHECK((s.sys_remaps > 0) == !spy_maps);
    CHECK(s.invalid_frees + s.double_frees + s.interior_frees == 0);
    CHECK(errors.entries.empty());
  }
  CHECK(spy.mallocs == spy.frees);
  if (spy_maps) CHECK(spy.balanced());
  return moved;
}

fastalloc32_config walk_config() {
  fastalloc32_config c = small_config(16 * 1024);
  c.cache_capacity = 16;
  c.large_cache_bytes = 256 * 1024;
  c.mmap_threshold = 16 * 1024;
  return c;
}

}  // namespace

TEST_CASE("random walk: a million calls across every path") {
  walk(walk_config(), 0x5eed, 1000000, false);
}

TEST_CASE("random walk: growing pools, secure zero, 64-byte alignment") {
  fastalloc32_config c = walk_config();
  c.alignment = 64;
  c.block_sizes[0] = 64;
  c.block_sizes[1] = 128;
  c.block_sizes[2] = 192;
  c.block_sizes[3] = 256;
  c.class_count = 4;
  c.pool_limit = 64 * 1024;
  c.secure_zero = 1;
  walk(c, 0xfa32, 200000, true);
}

TEST_CASE("random walk: a small large arena that fills up, beside the large cache and mremap") {
  fastalloc32_config c = walk_config();
  c.mmap_threshold = 160 * 1024;
  c.large_arena_size = 1024 * 1024;
  walk(c, 0xa7e4a, 300000, false);
}

TEST_CASE(
    "random walk: everything large is mapped (mmap_threshold 0), zero sizes at alignments up to 32 KiB") {
  // Zero-size aligned blocks once shared their pointer with a neighbouring
  // mapping here: "usable < size" and lost contents on realloc.
  fastalloc32_config c = walk_config();
  c.mmap_threshold = 0;
  // Every large block is a mapping that mremap resizes in place, except
  // one aligned above a page that the kernel mapped off its alignment
  // (the block then starts a page or more into its mapping): only those
  // move, a few per walk, as many as the kernel's addresses make. Over
  // the six walks some always do.
  uint64_t moved = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    moved += walk(c, seed, 100000, false, 16, true);
  }
  CHECK(moved > 0);
}

TEST_CASE("random walk: growing pools beside an arena that is trimmed at new footprint peaks") {
  fastalloc32_config c = walk_config();
  c.pool_limit = 64 * 1024;       // pools grow (new pages set new footprint peaks), then fall back
  c.mmap_threshold = 128 * 1024;  // the arena serves 16-128 KiB
  fastalloc32_stats last{};
  walk(c, 0x7e1a, 300000, false, 14, false, &last);
  CHECK(last.sys_decommits > 0);
  CHECK(last.pool_trims == 0);  // not asked for
}

TEST_CASE("random walk: pools whose free tops go back to the kernel at new footprint peaks") {
  fastalloc32_config c = walk_config();
  c.pool_limit = 256 * 1024;  // pools grow: their new pages set new footprint peaks
  c.mmap_threshold = 128 * 1024;
  c.trim_pools = 1;
  fastalloc32_stats last{};
  walk(c, 0x7a1b, 300000, false, 14, false, &last, true);
  CHECK(last.pool_trims > 0);
}
