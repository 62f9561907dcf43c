// SPDX-License-Identifier: GPL-3.0-or-later
// The large path (blocks above the largest class), tracked in the pointer
// table: no header is read, no node allocated.
#include <cstring>

#include "manager.hpp"

namespace fa32::core {

void remember_freed(Manager& m, uintptr_t p) noexcept {
  m.freed[m.freed_next] = p;
  m.freed_next = (m.freed_next + 1) % kFreedRing;
}

namespace {

// The block's pointer is the first align boundary at or past raw + skip.
void* enter(Manager& m, char* raw, size_t raw_size, BlockKind kind, size_t size, size_t align,
            size_t skip = 0) noexcept {
  const uintptr_t ptr = align_up_ptr(reinterpret_cast<uintptr_t>(raw) + skip, align);
  const uint64_t offset = ptr - reinterpret_cast<uintptr_t>(raw);
  const uint64_t usable = raw_size - offset;
  m.table.insert(TableEntry{ptr, size, usable, offset | static_cast<uint64_t>(kind)});
  count_outside_block(m, size, usable);
  m.gauges.large_bytes.add(usable);
  return reinterpret_cast<void*>(ptr);
}

constexpr size_t kLargeColourStep = 64;  // a cache line

// How far into its first page a large block from the arena or a mapping
// begins: its colour. Spans and mappings are page aligned, so without it
// every such block would start at the same address modulo 4 KiB as every
// other, the case the class colours (manager.cpp) avoid for the pools: the
// blocks' first lines would all fall in one L1 set, and the CPU, which
// matches loads to older stores by their low 12 address bits first, could
// see false dependences between them. Successive blocks step through the
// non-zero multiples of 64 below a page (29 of 63 apart, so neighbours in
// time lie far apart in the page), scaled down to the slack the request
// leaves in the block's last page (or bucket, for a mapping), so a colour
// never costs a page. A request that leaves less than 64 bytes there (a
// size of whole pages: 16 KiB, 64 KiB, 2 MiB) stays page aligned.
//
// Why not a page more for those too: measured against the uncoloured
// parent (the same binary with the colour off; fa32 bench, 7 interleaved
// runs, --touch all), colouring every large block, a page more wherever
// the colour passed the slack, cost 18.6 % footprint on the suite's
// realloc-growth profile (740 KiB against 624 KiB, replay RSS 876 against
// 756 KiB: blocks doubling from 16 KiB take 20, 36, 68 KiB spans), 0.6 %
// on large-mix (RSS +4.5 %), up to 0.9 % on the recorded real traces
// (git-log; lua, python, sqlite, gawk, jq, perl within +-0.5 %), for no
// speed gain beyond the noise anywhere: on the seven real traces and the
// six suite profiles every median stayed within 3 % of the parent's,
// faster or slower, but one whose own runs spread over 70 % (lua-tables,
// +7.6 %); on the Lua host (8 scripts, 7 interleaved rounds) string_build
// and table_resize, which make large blocks, stayed within 1 %, the
// others within their round-to-round spread. A page more only where the
// slack holds no colour cost the same on realloc-growth. Colours within
// the slack measured the parent's footprint exactly (every trace and
// profile) at the same speed.
size_t next_large_colour(Manager& m, size_t align, size_t slack) noexcept {
  if (align >= m.page_size) return 0;  // aligned to a page or more: the alignment decides
  const size_t step = align > kLargeColourStep ? align : kLargeColourStep;
  const size_t colours = m.page_size / step - 1;  // the non-zero multiples of step below a page
  size_t fit = slack / step;
  if (fit == 0) return 0;
  if (fit > colours) fit = colours;
  const uint32_t n = m.large_colours++;
  const size_t s = size_t((n % 63) * 29 % 63);  // 0..62, 29 apart
  return (s * fit / 63 + 1) * step;
}

}  // namespace

uint64_t give_back_idle(Manager& m) noexcept {
  return cache_trim_all(m) + slab_release_empty(m);
}

void release_raw(Manager& m, BlockKind kind, char* raw, size_t raw_size, FootprintPart part) noexcept {
  if (kind == BlockKind::large_mapped) {
    sys_unmap(m, raw, raw_size);
  } else {
    sys_free(m, raw);
  }
  footprint_shrink(m.gauges, part, raw_size);
}

void* large_alloc(Manager& m, size_t size, size_t align, bool zero, size_t reserve) noexcept {
  // A block of size 0 still gets a byte of its own: the aligned pointer must
  // lie inside its raw block, not one past it, where the next block (the
  // kernel's next mapping, or a malloc that packs blocks) may begin.
  if (reserve == 0) reserve = 1;
  const size_t heap_extra = align > kMallocAlign ? align - kMallocAlign : 0;
  size_t raw_req = 0;
  if (__builtin_add_overflow(reserve, heap_extra, &raw_req)) {
    fail_alloc(m, FASTALLOC32_E_OVERFLOW);
    return nullptr;
  }
  if (raw_req < kMinLargeRaw) raw_req = kMinLargeRaw;
  if (!m.table.reserve_one(m)) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  // The arena serves whole pages, page aligned: the block starts at the
  // colour inside its first page.
  if (reserve >= kArenaMinBytes && reserve < m.config.mmap_threshold && align <= m.page_size) {
    // (The slack of a size whose pages would pass SIZE_MAX does not count:
    // mmap_threshold may be SIZE_MAX.)
    const size_t slack =
        reserve <= SIZE_MAX - m.page_size ? (m.page_size - reserve % m.page_size) % m.page_size : 0;
    const size_t colour = next_large_colour(m, align, slack);
    ArenaBlock b;
    if (arena_alloc(m, reserve + colour, &b)) {
      m.counters.large_allocs++;
      m.counters.large_arena_allocs++;
      void* p = enter(m, b.ptr, b.bytes, BlockKind::large_arena, size, align, colour);
      if (zero && !b.zero) std::memset(p, 0, size);
      return p;
    }
  }
  if (CachedBlock n; cache_take(m, raw_req, &n)) {
    m.counters.large_allocs++;
    m.counters.large_cache_hits++;
    // A mapping is coloured within the room it has beyond the request; a
    // system malloc block starts where the system put it (behind its own
    // header: not at a page's start).
    const size_t skip =
        n.kind == BlockKind::large_mapped ? next_large_colour(m, align, n.raw_size - raw_req) : 0;
    void* p = enter(m, n.raw, n.raw_size, n.kind, size, align, skip);
    if (zero) std::memset(p, 0, size);
    return p;
  }
  char* raw = nullptr;
  size_t raw_size = 0;
  BlockKind kind = BlockKind::large_heap;
  size_t colour = 0;
  if (raw_req >= m.config.mmap_threshold) {
    const size_t map_extra = align > m.page_size ? align - m.page_size : 0;
    size_t want = 0;
    if (__builtin_add_overflow(reserve, map_extra, &want)) {
      fail_alloc(m, FASTALLOC32_E_OVERFLOW);
      return nullptr;
    }
    // Whole buckets, so the block serves the same request again from the
    // cache (the tail pages cost nothing until touched).
    if (want <= kMaxBucketed) want = bucket_size(bucket_ceil(want < kMinLargeRaw ? kMinLargeRaw : want));
    if (!align_up(want, m.page_size, &raw_size)) {
      fail_alloc(m, FASTALLOC32_E_OVERFLOW);
      return nullptr;
    }
    colour = next_large_colour(m, align, raw_size - reserve);
    raw = static_cast<char*>(sys_map_block(m, raw_size));
    // Refused: what the manager keeps idle goes back first, then once more.
    if (raw == nullptr && give_back_idle(m) != 0) raw = static_cast<char*>(sys_map_block(m, raw_size));
    kind = BlockKind::large_mapped;
    zero = false;  // fresh mappings are zero already
  } else {
    // Whole buckets, as for a mapping; past kMaxBucketed (reached only with
    // an mmap_threshold that high) the bucket arithmetic would shift by 64:
    // SIZE_MAX - 1 became a 1-byte block, and its free wrote far outside the
    // cache's bucket heads. The request as it is then, which no system
    // grants.
    raw_size = raw_req <= kMaxBucketed ? bucket_size(bucket_ceil(raw_req)) : raw_req;
    raw = static_cast<char*>(sys_malloc(m, raw_size));
    if (raw == nullptr && give_back_idle(m) != 0) raw = static_cast<char*>(sys_malloc(m, raw_size));
  }
  if (raw == nullptr) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  grow_footprint(m, FootprintPart::large_blocks, raw_size);
  m.counters.large_allocs++;
  // System malloc blocks start wherever the system puts them; mappings at
  // the colour.
  void* p = enter(m, raw, raw_size, kind, size, align, colour);
  if (zero) std::memset(p, 0, size);
  return p;
}

void table_block_release(Manager& m, TableEntry* e) noexcept {
  const TableEntry dead = *e;
  m.table.erase(e);
  uncount_outside_block(m, dead.requested, dead.usable);
  if (m.secure_zero) explicit_bzero(reinterpret_cast<void*>(dead.ptr), dead.usable);
  remember_freed(m, dead.ptr);
  m.counters.large_frees++;
  m.gauges.large_bytes.sub(dead.usable);
  if (dead.kind() == BlockKind::large_arena) {
    arena_free(m, dead.raw());
  } else {
    cache_put(m, dead.kind(), dead.raw(), dead.raw_size());
  }
}

void large_release_all(Manager& m) noexcept {
  for (TableEntry* e = m.table.begin(); e != m.table.end(); ++e) {
    // Arena blocks go with the arena.
    if (e->ptr != 0 && e->kind() != BlockKind::large_arena)
      release_raw(m, e->kind(), e->raw(), e->raw_size(), FootprintPart::large_blocks);
  }
  cache_release_all(m);
  arena_release(m);
  m.table.release(m);
}

}  // namespace fa32::core
