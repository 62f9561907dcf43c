// SPDX-License-Identifier: GPL-3.0-or-later
// The fallback: when a class's pool is full and may not grow, its blocks
// come from slabs taken from the system malloc, one slab of many blocks per
// call, rather than one system malloc call per block. A block is found by
// address range (a binary search of the few slabs, sorted by address) and
// its requested size and liveness sit in the slab's record, beside it, not
// in it: nothing is read at a pointer before it is known to be a block.
//
// Why: with a block per malloc call, each found through the pointer table,
// a replay of 1,000,000 events with 100,000 live 8-128 B blocks through the
// original's one 128 B class (a 1 MiB pool, so 92 % of them fell back) ran
// at 3.2x glibc's time per event, most of it in the table's find, insert
// and erase (32 % of the profile), each a cache miss into a table of 8 MiB,
// on top of glibc's own malloc and free.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fastalloc32.h"

namespace fa32::core {

struct FallbackSlab {
  char* raw;  // from the system malloc
  size_t raw_size;
  char* base;  // the first block
  uint32_t cls;
  uint32_t block_size;
  uint32_t capacity;  // blocks
  uint32_t bump;      // blocks handed out at least once
  uint32_t live;
  uint32_t free_count;  // indices on the free stack (free_stack())
  // The class's slabs with a block to give, most recently freed into
  // first: the next fallback block is the one freed last, still warm.
  FallbackSlab* next_partial;
  FallbackSlab* prev_partial;
  bool partial;  // in that list
  // capacity entries (see kSlabFree), then the free stack: capacity more
  // for the indices of freed blocks, the last freed on top. A stack of its
  // own, dense, as the pools' cache is, and not a list through the
  // entries: popping a list reads the popped block's entry for the next
  // index, a cache miss the malloc waits on with many live blocks.
  uint32_t state[1];

  char* block(uint32_t i) const noexcept { return base + size_t(i) * block_size; }
  char* end() const noexcept { return block(capacity); }
  bool is_live(uint32_t i) const noexcept { return (state[i] & kSlabFree) == 0; }
  uint32_t* free_stack() noexcept { return state + capacity; }
  const uint32_t* free_stack() const noexcept { return state + capacity; }

  // A live block's entry is its requested size (below 2^31: blocks are at
  // most kMaxBlockSize); a freed one's is kSlabFree.
  static constexpr uint32_t kSlabFree = uint32_t(1) << 31;
};

struct SlabSet {
  FallbackSlab** sorted = nullptr;  // by base address
  // ends[i] = sorted[i]->end(), in the same allocation: the search reads
  // only this array, a few lines, not the slab records.
  uintptr_t* ends = nullptr;
  uint32_t count = 0;
  uint32_t capacity = 0;
  FallbackSlab* partial[FASTALLOC32_MAX_CLASSES] = {};
  uint32_t empty[FASTALLOC32_MAX_CLASSES] = {};  // slabs with nothing live (at most one kept)
  uint32_t made[FASTALLOC32_MAX_CLASSES] = {};   // slabs made so far: later ones are larger
};

// Index of the first slab whose blocks end above addr (count if none).
// Up to kLinearSlabs slabs (100,000 blocks of 128 B take 20) the ends are
// counted rather than searched: the compares are independent of each other
// and vectorise, where a binary search is a chain of dependent loads (it
// took 13 % of a replay's time whose frees were 92 % fallback blocks).
// Beyond, the search is branch-free: the step is a flag times half.
inline constexpr uint32_t kLinearSlabs = 64;

inline uint32_t first_end_above(const SlabSet& s, uintptr_t addr) noexcept {
  if (s.count <= kLinearSlabs) {
    uint32_t below = 0;
    for (uint32_t i = 0; i < s.count; ++i) below += static_cast<uint32_t>(s.ends[i] <= addr);
    return below;
  }
  const uintptr_t* base = s.ends;
  uint32_t n = s.count;
  while (n > 1) {
    const uint32_t half = n / 2;
    base += static_cast<uint32_t>(base[half - 1] <= addr) * half;
    n -= half;
  }
  return static_cast<uint32_t>(base - s.ends) + (*base <= addr ? 1 : 0);
}

// The slab whose blocks' range holds addr, or nullptr. Inline: it is most
// of what a free of a fallback block costs.
inline FallbackSlab* find_slab(const SlabSet& set, uintptr_t addr) noexcept {
  const uint32_t at = first_end_above(set, addr);
  if (at == set.count) return nullptr;
  FallbackSlab* s = set.sorted[at];
  return addr >= reinterpret_cast<uintptr_t>(s->base) ? s : nullptr;
}

}  // namespace fa32::core
