// SPDX-License-Identifier: GPL-3.0-or-later
// The large path (blocks above the largest class) and the fallback path
// (small blocks from the system allocator when their class is full). Both
// are tracked in the pointer table: no header is read, no node allocated.
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
  m.gauges.table_allocs.add(1);
  m.gauges.table_requested.add(size);
  m.gauges.table_reserved.add(usable);
  if (m.track_peaks) m.peaks.add_block(size, usable, 0);
  if (kind == BlockKind::fallback) {
    m.gauges.fallback_bytes.add(usable);
  } else {
    m.gauges.large_bytes.add(usable);
  }
  return reinterpret_cast<void*>(ptr);
}

// How far past the start of its pages a large block begins: arena spans and
// mappings are page aligned, so without it every large block would start at
// the same address modulo 4 KiB as every other, the case the class colours
// (manager.cpp) avoid for the pools. Successive blocks step through the 63
// non-zero multiples of 64 below 4 KiB, 29 apart, so neighbours in time are
// far apart in cache sets. A colour costs at most one page more per block
// (only when the request leaves less slack than the colour), and the page
// holding the colour is touched anyway by the block's first bytes.
size_t next_large_colour(Manager& m, size_t align) noexcept {
  if (align >= m.page_size) return 0;
  const uint32_t n = m.large_colours++;
  const size_t colour = (size_t((n % 63) * 29 % 63) + 1) * 64;
  return (colour % m.page_size) & ~(align - 1);
}

}  // namespace

void release_raw(Manager& m, BlockKind kind, char* raw, size_t raw_size) noexcept {
  if (kind == BlockKind::large_mapped) {
    sys_unmap(m, raw, raw_size);
  } else {
    sys_free(m, raw);
  }
  m.gauges.footprint.sub(raw_size);
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
  const size_t colour = next_large_colour(m, align);
  // The arena serves whole pages, page aligned: the block starts at the
  // colour inside its first page.
  if (reserve >= kArenaMinBytes && reserve < m.config.mmap_threshold && align <= m.page_size) {
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
    // Coloured when the cached block has room for it beyond the request.
    const size_t skip = n.raw_size - raw_req >= colour ? colour : 0;
    void* p = enter(m, n.raw, n.raw_size, n.kind, size, align, skip);
    if (zero) std::memset(p, 0, size);
    return p;
  }
  char* raw = nullptr;
  size_t raw_size = 0;
  BlockKind kind = BlockKind::large_heap;
  if (raw_req >= m.config.mmap_threshold) {
    const size_t map_extra = align > m.page_size ? align - m.page_size : colour;
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
    raw = static_cast<char*>(sys_map_block(m, raw_size));
    kind = BlockKind::large_mapped;
    zero = false;  // fresh mappings are zero already
  } else {
    raw_size = bucket_size(bucket_ceil(raw_req));
    raw = static_cast<char*>(sys_malloc(m, raw_size));
  }
  if (raw == nullptr) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  m.gauges.footprint.add(raw_size);
  m.counters.large_allocs++;
  // System malloc blocks start wherever the system puts them (behind its
  // own headers); mappings at the colour.
  void* p = enter(m, raw, raw_size, kind, size, align, kind == BlockKind::large_mapped ? colour : 0);
  if (zero) std::memset(p, 0, size);
  return p;
}

void* fallback_alloc(Manager& m, uint32_t c, size_t size, size_t align, bool zero) noexcept {
  // size <= the largest block size and align <= a page: no overflow. At
  // least one byte past the aligned pointer, as in large_alloc.
  size_t raw_size = (size == 0 ? 1 : size) + (align > kMallocAlign ? align - kMallocAlign : 0);
  if (raw_size < kMallocAlign) raw_size = kMallocAlign;
  if (!m.table.reserve_one(m)) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  char* raw = static_cast<char*>(sys_malloc(m, raw_size));
  if (raw == nullptr) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  m.gauges.footprint.add(raw_size);
  m.classes[c].counters.fallback_allocs++;
  void* p = enter(m, raw, raw_size, BlockKind::fallback, size, align);
  if (zero) std::memset(p, 0, size);
  return p;
}

void table_block_release(Manager& m, TableEntry* e) noexcept {
  const TableEntry dead = *e;
  m.table.erase(e);
  m.gauges.table_allocs.sub(1);
  m.gauges.table_requested.sub(dead.requested);
  m.gauges.table_reserved.sub(dead.usable);
  if (m.track_peaks) m.peaks.sub_block(dead.requested, dead.usable, 0);
  if (m.secure_zero) explicit_bzero(reinterpret_cast<void*>(dead.ptr), dead.usable);
  remember_freed(m, dead.ptr);
  if (dead.kind() == BlockKind::fallback) {
    m.counters.fallback_frees++;
    m.gauges.fallback_bytes.sub(dead.usable);
    release_raw(m, BlockKind::fallback, dead.raw(), dead.raw_size());
  } else {
    m.counters.large_frees++;
    m.gauges.large_bytes.sub(dead.usable);
    if (dead.kind() == BlockKind::large_arena) {
      arena_free(m, dead.raw());
    } else {
      cache_put(m, dead.kind(), dead.raw(), dead.raw_size());
    }
  }
}

void large_release_all(Manager& m) noexcept {
  for (TableEntry* e = m.table.begin(); e != m.table.end(); ++e) {
    // Arena blocks go with the arena.
    if (e->ptr != 0 && e->kind() != BlockKind::large_arena)
      release_raw(m, e->kind(), e->raw(), e->raw_size());
  }
  cache_release_all(m);
  arena_release(m);
  m.table.release(m);
}

}  // namespace fa32::core
