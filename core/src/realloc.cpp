// SPDX-License-Identifier: GPL-3.0-or-later
// realloc across every transition. Each call moves exactly one realloc_*
// counter. Copies never exceed the old block (the original copied `size`
// bytes out of whatever block it was given). On failure the old block is
// untouched.
#include <cstring>

#include "pool_ops.hpp"

namespace fa32::core {

namespace {

// Updates a table entry in place for a new requested size and usable size
// (the footprint is the caller's: a mapping's follows its size, the
// arena's its committed pages).
void resize_entry(Manager& m, TableEntry* e, size_t size, uint64_t usable) noexcept {
  change_outside_requested(m, e->requested, size);
  m.gauges.table_reserved.change(e->usable, usable);
  if (m.track_peaks) m.peaks.bytes_reserved.change(e->usable, usable);
  m.gauges.large_bytes.change(e->usable, usable);
  e->requested = size;
  e->usable = usable;
}

// A large block that still holds `size` stays where it is: only its
// requested size and the byte counters change. Every path that keeps a
// block in place (a shrink that needs nothing, one the kernel or the pools
// refused) ends here.
void* keep_large_block(Manager& m, TableEntry* e, size_t size) noexcept {
  change_outside_requested(m, e->requested, size);
  e->requested = size;
  m.counters.realloc_large_in_place++;
  return reinterpret_cast<void*>(e->ptr);
}

// Grows or shrinks a whole-mapping block with mremap. nullptr on failure
// (the block is untouched).
void* remap_block(Manager& m, TableEntry* e, size_t size) noexcept {
  void* p = reinterpret_cast<void*>(e->ptr);
  const uint64_t offset = e->offset();  // the colour: kept, mremap moves whole pages
  size_t new_size = 0;
  // The status depends on the size asked for, not on the block's colour:
  // a size that rounds to whole pages is at worst too big (E_NOMEM), as it
  // is for a block without one.
  if (!align_up(size, m.page_size, &new_size)) {
    fail_alloc(m, FASTALLOC32_E_OVERFLOW);
    return nullptr;
  }
  if (size > SIZE_MAX - offset || !align_up(size + offset, m.page_size, &new_size)) {
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  void* q = sys_remap(m, e->raw(), e->raw_size(), new_size);
  if (q == nullptr) {
    // A shrink the kernel refuses (splitting a mapping that merged with its
    // neighbour can hit vm.max_map_count) leaves the block big enough where
    // it is: keep it, as any other large block that still fits is kept,
    // rather than fail a call that needs no memory.
    if (size <= e->usable) return keep_large_block(m, e, size);
    fail_alloc(m, FASTALLOC32_E_NOMEM);
    return nullptr;
  }
  TableEntry moved = *e;
  if (new_size > e->raw_size()) {
    grow_footprint(m, FootprintPart::large_blocks, new_size - e->raw_size());
  } else {
    footprint_shrink(m.gauges, FootprintPart::large_blocks, e->raw_size() - new_size);
  }
  resize_entry(m, &moved, size, new_size - offset);
  moved.ptr = reinterpret_cast<uintptr_t>(q) + offset;
  m.table.erase(e);
  m.table.insert(moved);  // same count as before: no room needed
  // A moving mremap leaves the old pointer behind like a free does.
  if (reinterpret_cast<void*>(moved.ptr) != p) remember_freed(m, reinterpret_cast<uintptr_t>(p));
  m.counters.realloc_large_in_place++;
  return reinterpret_cast<void*>(moved.ptr);
}

}  // namespace

void* realloc_block(Manager& m, void* p, size_t size) noexcept {
  Location loc = locate(m, p);
  if (!is_live_block(loc)) {
    report_bad_pointer(m, loc, p);
    return nullptr;
  }
  m.counters.reallocs++;
  size_t old_usable = 0;
  size_t reserve = size;
  switch (loc.where) {
    case Where::pool: {
      PoolClass& k = m.classes[loc.cls];
      if (size <= k.block_size) {
        pool_resize_in_place(m, k, loc.index, k.entry(loc.index), size);
        return p;
      }
      old_usable = k.block_size;
      break;
    }
    case Where::large: {
      TableEntry* e = loc.entry;
      old_usable = e->usable;
      // A size a class holds goes to a pool block, unless the block holds
      // it as growth (past the request, up to the usable size) or it is the
      // usable size: an aligned_alloc'd block may be large at a class's size
      // (no class keeps its alignment), and realloc to its usable size must
      // keep it where it is (fastalloc32.h).
      const bool holds = size == e->usable || (size > e->requested && size < e->usable);
      if (size <= realloc_pool_limit(m.max_small) && !holds) break;
      // An arena block gives its tail pages back when it shrinks below half,
      // and grows into a free neighbour or the arena's unused end; otherwise
      // it stays (below) or moves.
      // The span keeps the block's colour in front of it; a size that cannot
      // take it (near SIZE_MAX) cannot stay in the arena either.
      if (e->kind() == BlockKind::large_arena && (size > e->usable || size <= e->usable / 2) &&
          size <= SIZE_MAX - e->offset()) {
        if (const size_t bytes = arena_resize(m, e->raw(), size + e->offset())) {
          resize_entry(m, e, size, bytes - e->offset());
          m.counters.realloc_large_in_place++;
          return p;
        }
      }
      const bool whole_mapping = e->kind() == BlockKind::large_mapped && e->offset() < m.page_size &&
                                 m.default_map && m.config.alignment <= m.page_size;
      // A whole mapping follows the size both ways with mremap (shrinking
      // never moves it). Any other block that still fits stays: heap blocks
      // are below mmap_threshold, so what a shrink keeps is bounded.
      if (whole_mapping && (size > e->usable || size < e->usable / 2)) return remap_block(m, e, size);
      if (size <= e->usable) return keep_large_block(m, e, size);
      // Growth: reserve half as much again so repeated growth copies
      // O(log n) times, not once per bucket.
      const size_t grown = e->usable + e->usable / 2;
      if (grown > size) reserve = grown;
      break;
    }
    default: {  // Where::fallback
      FallbackSlab* s = loc.slab;
      if (size <= s->block_size) {
        slab_resize_in_place(m, s, loc.index, size);
        m.counters.realloc_fallback++;
        return p;
      }
      old_usable = s->block_size;
      break;
    }
  }

  const bool small = size <= realloc_pool_limit(m.max_small);
  void* q = small ? alloc_small(m, size, false) : large_alloc(m, size, m.config.alignment, false, reserve);
  if (q == nullptr) return nullptr;  // fail_alloc has reported it; p is untouched
  // A small request is served by its class's pool, or by the fallback when
  // the class is full; a large one by the large path.
  const bool to_pool = small && in_pools(m, q);
  const bool to_fallback = small && !to_pool;
  std::memcpy(q, p, old_usable < size ? old_usable : size);
  // The allocation may have grown (rehashed) the table: find the old entry again.
  if (loc.where == Where::large) loc.entry = m.table.find(reinterpret_cast<uintptr_t>(p));
  const Where from = loc.where;
  if (from == Where::fallback || to_fallback) {
    m.counters.realloc_fallback++;
  } else if (from == Where::pool) {
    if (to_pool) {
      m.counters.realloc_pool_to_pool++;
    } else {
      m.counters.realloc_pool_to_large++;
    }
  } else if (to_pool) {
    m.counters.realloc_large_to_pool++;
  } else {
    m.counters.realloc_large_moved++;
  }
  m.realloc_moves++;
  release(m, loc);
  return q;
}

void* realloc_or_keep(Manager& m, void* p, size_t size) noexcept {
  // Pool and fallback blocks shrink in place (their block holds any smaller
  // size); only a large block's shrink asks for memory (a pool block, a
  // fallback slab, an mremap), and that may fail.
  const Location loc = locate(m, p);
  if (loc.where != Where::large || size > loc.entry->usable) return realloc_block(m, p, size);
  m.keep_on_failure = true;
  m.shrink_failed = false;
  void* q = realloc_block(m, p, size);
  m.keep_on_failure = false;
  if (q != nullptr || !m.shrink_failed) return q;
  // Nothing moved and nothing was counted but the realloc: the block stays
  // at the size the caller now holds, as an in-place shrink leaves it.
  return keep_large_block(m, m.table.find(reinterpret_cast<uintptr_t>(p)), size);
}

}  // namespace fa32::core
