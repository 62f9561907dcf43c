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
// at 3.2x glibc's time per event in one run and 4.9x in another, most of it in the table's find, insert
// and erase (32 % of the profile), each a cache miss into a table of 8 MiB,
// on top of glibc's own malloc and free.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fastalloc32.h"
#include "util.hpp"

namespace fa32::core {

// Fallback blocks fit their request, not their class: a slab serves one
// block size, either one of kFitKinds sizes on the default classes' grid
// (every 16 B to 256 B, then eight per doubling to 16 KiB; manager.cpp
// asserts that they are the default classes) when it is below the class's
// block size, or the class's block size. With the original's one 128 B
// class, 100,000 live 8-128 B blocks all in 128 B fallback blocks took
// 1.5-1.9x glibc's time (12.8 MB touched where glibc packs them in 8),
// and falling back from the default's finer classes (held to 64 KiB pools)
// 1.24x; with fitted blocks the original's layout ran at a median 0.79x
// (docs/design.md, "Why fitted blocks"; docs/performance.md).
inline constexpr uint32_t kFitKinds = 64;
inline constexpr size_t kFitMax = size_t(16) << 10;
inline constexpr uint32_t kSlabKinds = kFitKinds + FASTALLOC32_MAX_CLASSES;

// The grid's i-th size (i < kFitKinds).
constexpr size_t fit_size(uint32_t i) noexcept {
  if (i < 16) return size_t(i + 1) * 16;
  const uint32_t e = 8 + (i - 16) / 8;  // 2^e < size <= 2^(e+1)
  return (size_t(1) << e) + size_t((i - 16) % 8 + 1) * (size_t(1) << (e - 3));
}

// The index of the smallest grid size >= size (1 <= size <= kFitMax).
inline uint32_t fit_index(size_t size) noexcept {
  if (size <= 256) return size <= 16 ? 0 : static_cast<uint32_t>((size - 1) / 16);
  const unsigned e = log2_floor(size - 1);
  return 16 + (e - 8) * 8 + static_cast<uint32_t>(((size - 1) >> (e - 3)) - 8);
}

struct FallbackSlab {
  char* raw;  // from the system malloc
  size_t raw_size;
  char* base;      // the first block
  uint64_t recip;  // reciprocal(block_size), as a class's: offset -> index
  uint32_t kind;   // < kFitKinds: fit_size(kind); else class kind - kFitKinds's size
  uint32_t block_size;
  uint32_t capacity;  // blocks
  uint32_t bump;      // blocks handed out at least once
  uint32_t live;
  uint32_t free_count;  // indices on the free stack (free_stack())
  // The kind's slabs with a block to give, most recently freed into
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
  // The block at `in` bytes from base, and whether `in` is its first byte.
  uint64_t index_of(uint64_t in, bool* at_start) const noexcept {
    return divide_by_reciprocal(in, recip, at_start);
  }
  char* end() const noexcept { return block(capacity); }
  bool is_live(uint32_t i) const noexcept { return (state[i] & kSlabFree) == 0; }
  uint32_t* free_stack() noexcept { return state + capacity; }
  const uint32_t* free_stack() const noexcept { return state + capacity; }

  // A live block's entry is its requested size (below 2^31: blocks are at
  // most kMaxPoolBlock); a freed one's is kSlabFree.
  static constexpr uint32_t kSlabFree = uint32_t(1) << 31;
};

struct SlabSet {
  FallbackSlab** sorted = nullptr;  // by base address
  // ends[i] = sorted[i]->end(), in the same allocation: the search reads
  // only this array, a few lines, not the slab records.
  uintptr_t* ends = nullptr;
  uint32_t count = 0;
  uint32_t capacity = 0;
  // By slab kind.
  FallbackSlab* partial[kSlabKinds] = {};
  uint32_t empty[kSlabKinds] = {};  // slabs with nothing live (at most one kept)
  uint32_t made[kSlabKinds] = {};   // slabs made so far: later ones are larger
};

// Index of the first slab whose blocks end above addr (count if none).
// Up to kLinearSlabs slabs the ends are counted rather than searched: the
// compares are independent of each other, where a binary search is a
// chain of dependent loads (it took 13 % of a replay's time whose frees
// were 92 % fallback blocks, in 20 slabs). Beyond, the search is
// branch-free: the step is a flag times half. Counting 64 slabs cost 114
// instructions an event more than searching them (cachegrind, the
// original's layout with 100,000 live blocks).
inline constexpr uint32_t kLinearSlabs = 32;

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
