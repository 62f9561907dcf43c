// SPDX-License-Identifier: GPL-3.0-or-later
// The inline halves of pool allocation and free, shared by the C API's fast
// paths (malloc, free, and realloc between classes) and the slow paths. They
// move two counters of the class (malloc) or one (free), plus the global
// peaks when the manager keeps them.
#pragma once

#include "manager.hpp"

namespace fa32::core {

// Hands out block `index` of class k for a request of `size` bytes.
inline void* pool_hand_out(Manager& m, PoolClass& k, uint32_t index, size_t size) noexcept {
  // Read before the counter stores, which may alias it for the compiler:
  // one load of block_size for the peaks and the address.
  const size_t block_size = k.block_size;
  k.set_live(index, size);
  k.allocs++;
  k.requested_in += size;
  if (m.track_peaks) {
    m.peaks.add_block(size, block_size, 1);
    k.requested_peak.add(size);
  }
  return k.block(index, block_size);
}

// Takes a live pool block out of the live set, with its accounting.
inline void pool_account_release(Manager& m, PoolClass& k, uint32_t index, uint64_t state) noexcept {
  const uint64_t requested = state - 1;
  k.clear_live(index);
  k.released += state;
  if (m.track_peaks) {
    m.peaks.sub_block(requested, k.block_size, 1);
    k.requested_peak.sub(requested);
  }
}

// A live pool block's requested size changes to `size` (<= its block size)
// in place: its live-size entry, the class's byte counters, the peaks, and
// realloc_in_place (the caller counts the realloc).
inline void pool_resize_in_place(Manager& m, PoolClass& k, uint64_t index, uint64_t state,
                                 size_t size) noexcept {
  const uint64_t old = state - 1;
  k.set_live(index, size);
  if (size > old) {
    k.requested_in += size - old;
  } else {
    k.released += old - size;
  }
  if (m.track_peaks) {
    k.requested_peak.change(old, size);
    m.peaks.bytes_requested.change(old, size);
  }
  m.counters.realloc_in_place++;
}

// The class that serves a request of `size` bytes (size <= max_small).
inline PoolClass* class_for_size(Manager& m, size_t size) noexcept {
  return &class_at(m, class_table(m)[size_index(size)]);
}

// The class whose stride holds pool offset `off` (off < pool_span).
inline PoolClass* class_of_offset(Manager& m, uint64_t off) noexcept {
  return &class_at(m, static_cast<uint32_t>(off >> m.class_shift) & ~uint32_t(sizeof(PoolClass) - 1));
}

// The offset of `ptr` from class k's first block, modulo the stride (ptr
// lies in k's stride). Below the first block (the class's colour) it wraps
// to the stride's end, past every block the class can hold, so the index
// it gives is never a live block's.
inline uint64_t offset_in_class(const Manager& m, const PoolClass& k, const void* ptr) noexcept {
  return (reinterpret_cast<uintptr_t>(ptr) - reinterpret_cast<uintptr_t>(k.base)) & m.stride_mask;
}

// A pointer inside the pools (pool offset `off` < pool_span), decoded: its
// class, the block it falls in, whether it is that block's first byte, and
// the block's live-size entry (0 free, requested + 1 live). Nothing is read
// at the pointer. Shared by the inline free and realloc and by locate.
struct PoolPointer {
  PoolClass* k;
  uint64_t index;  // within the class's stride; may be at or past bump
  uint64_t state() const noexcept { return k->entry(index); }
};
inline PoolPointer decode_pool_pointer(Manager& m, uint64_t off, const void* ptr, bool* at_start) noexcept {
  PoolClass* kp = class_of_offset(m, off);
  // Opaque to the optimizer, so the class address stays in a register
  // instead of being recomputed around every later use (as in malloc).
  __asm__("" : "+r"(kp));
  return {kp, kp->index_of(offset_in_class(m, *kp, ptr), at_start)};
}

// Pops block `index`, read from under `top` (the class's cache top) and not
// kNoBlock, and hands it out. The block the next pop will hand out is
// prefetched for writing: a freed block waits in the cache while the program
// touches other memory, so it is often cold by the time it is handed out,
// and the program writes into a new block at once. Prefetching it one
// allocation ahead hides most of that miss: on the recorded traces
// (--touch first) python-json went from 1.22x mimalloc's time to 1.03-1.14x,
// jq-orders from 1.24-1.30x to 1.02-1.03x, lua-tables from 1.21x to
// 1.03-1.07x (docs/performance.md). Under the last block is the empty
// cache's sentinel, kNoBlock, whose block lies far past the class's
// mapping: a prefetch never faults, and one aimed at the block handed out
// instead measured no faster (git-log 1.00x, sqlite-shop 0.98x).
inline void* pool_cache_pop(Manager& m, PoolClass& k, uint32_t* top, uint32_t index, size_t size) noexcept {
  k.cache_top = top - 1;
  __builtin_prefetch(k.base + size_t(top[-2]) * k.block_size, 1);
  return pool_hand_out(m, k, index, size);
}

// Takes live block `index` (live-size entry `state`) back onto the cache;
// `top` is the class's cache top, below fast_free_end.
inline void pool_cache_push(Manager& m, PoolClass& k, uint32_t* top, uint64_t index,
                            uint64_t state) noexcept {
  *top = static_cast<uint32_t>(index);
  k.cache_top = top + 1;
  pool_account_release(m, k, static_cast<uint32_t>(index), state);
}

// The inline malloc's pop: true and *out a block of the class that serves
// `size` (<= max_small) from its cache, or false when the cache is empty.
// Shared by malloc and calloc. (A bool, not a null pointer: the compiler
// cannot tell that a pool block is never null, and would test it again.)
inline bool pool_cache_take(Manager& m, size_t size, void** out) noexcept {
  PoolClass* kp = class_for_size(m, size);
  // Opaque to the optimizer, so the class address stays in a register
  // instead of being recomputed around every counter update.
  __asm__("" : "+r"(kp));
  PoolClass& k = *kp;
  // Below the cache's first entry is kNoBlock, so the entry under the top
  // says whether the cache is empty: no load of the cache's start.
  uint32_t* top = k.cache_top;
  const uint32_t index = top[-1];
  if (FA32_UNLIKELY(index == kNoBlock)) return false;
  *out = pool_cache_pop(m, k, top, index, size);
  return true;
}

}  // namespace fa32::core
