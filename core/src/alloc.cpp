// SPDX-License-Identifier: GPL-3.0-or-later
// Allocation dispatch (pool, fallback, large) and release of a located block.
#include <cstring>

#include "manager.hpp"

namespace fa32::core {

namespace {

uint32_t class_for(const Manager& m, size_t size) noexcept {
  return class_index(class_table(m)[size_index(size)]);
}

}  // namespace

void* alloc_small(Manager& m, size_t size, bool zero) noexcept {
  const uint32_t c = class_for(m, size);
  if (void* p = pool_alloc(m, c, size, zero)) return p;
  return fallback_alloc(m, c, size, m.config.alignment, zero);
}

void* alloc_any(Manager& m, size_t size, bool zero) noexcept {
  if (size <= m.max_small) return alloc_small(m, size, zero);
  return large_alloc(m, size, m.config.alignment, zero, size);
}

void* alloc_aligned(Manager& m, size_t align, size_t size) noexcept {
  if (align <= m.config.alignment) return alloc_any(m, size, false);
  // Class strides are page aligned, so a block is aligned to any align <= a
  // page whenever its class's colour and block size are multiples of align.
  if (size <= m.max_small && align <= m.page_size) {
    for (uint32_t c = class_for(m, size); c < m.class_count; ++c) {
      if ((m.classes[c].block_size | m.classes[c].colour) % align != 0) continue;
      if (void* p = pool_alloc(m, c, size, false)) return p;
      return fallback_alloc(m, c, size, align, false);
    }
  }
  return large_alloc(m, size, align, false, size);
}

void release(Manager& m, const Location& loc) noexcept {
  if (loc.where == Where::pool) {
    pool_release(m, loc.cls, loc.index);
  } else if (loc.slab != nullptr) {
    slab_release(m, loc.slab, loc.index);
  } else {
    table_block_release(m, loc.entry);
  }
}

void wipe_live(Manager& m) noexcept {
  // Memory unmapped with munmap comes back from the kernel zeroed; the
  // system malloc and a map hook may hand theirs to anyone as it is.
  const bool mapped_too = !m.default_map;
  if (mapped_too) {
    for (uint32_t c = 0; c < m.class_count; ++c) {
      PoolClass& k = m.classes[c];
      for (uint32_t index = 0; index < k.bump; ++index) {
        if (k.is_live(index)) explicit_bzero(k.block(index), k.block_size);
      }
    }
  }
  for (TableEntry* e = m.table.begin(); e != m.table.end(); ++e) {
    if (e->ptr == 0) continue;
    const BlockKind kind = e->kind();
    if (mapped_too || kind == BlockKind::large_heap)
      explicit_bzero(reinterpret_cast<void*>(e->ptr), e->usable);
  }
  slab_wipe_live(m);
}

void free_slow(Manager& m, void* p) noexcept {
  const Location loc = locate(m, p);
  if (!is_live_block(loc)) {
    report_bad_pointer(m, loc, p);
    return;
  }
  release(m, loc);
}

}  // namespace fa32::core
