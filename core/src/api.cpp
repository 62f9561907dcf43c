// SPDX-License-Identifier: GPL-3.0-or-later
// The extern "C" layer: argument checks, the inline fast paths of malloc and
// free, and dispatch to the slow paths. Nothing here throws.
#include <cstring>

#include "pool_ops.hpp"

namespace fa32::core {

void report(Manager& m, fastalloc32_status status, const void* ptr) noexcept {
  m.last_status = status;
  if (m.config.on_error != nullptr) m.config.on_error(status, ptr, m.config.error_user);
}

void fail_alloc(Manager& m, fastalloc32_status status) noexcept {
  if (m.keep_on_failure) {
    m.shrink_failed = true;
    return;
  }
  m.counters.failed_allocs++;
  report(m, status, nullptr);
}

namespace {

FA32_NOINLINE void* malloc_slow(fastalloc32_mm* mm, size_t size) noexcept {
  if (mm == nullptr) return nullptr;
  return alloc_any(*mm, size, false);
}

FA32_NOINLINE void* calloc_slow(fastalloc32_mm* mm, size_t count, size_t size) noexcept {
  if (mm == nullptr) return nullptr;
  size_t total = 0;
  if (__builtin_mul_overflow(count, size, &total)) {
    fail_alloc(*mm, FASTALLOC32_E_OVERFLOW);
    return nullptr;
  }
  return alloc_any(*mm, total, true);
}

FA32_NOINLINE void free_slow_entry(fastalloc32_mm* mm, void* ptr) noexcept {
  if (mm == nullptr || ptr == nullptr) return;
  free_slow(*mm, ptr);
}

}  // namespace

}  // namespace fa32::core

using namespace fa32::core;

extern "C" {

// Fast path: a class lookup and a pop from the class's LIFO cache; one
// unlikely branch (size too big, or cache empty) to the out-of-line slow
// path. The statistics are two counters of the class (mallocs, cache hits
// and the gauges' current values and totals are derived from them in
// fastalloc32_get_stats) and, with track_peaks, the peaks.
FASTALLOC32_API void* fastalloc32_malloc(fastalloc32_mm* mm, size_t size) {
  if (FA32_LIKELY(mm != nullptr && size <= mm->max_small)) {
    void* p;
    if (FA32_LIKELY(pool_cache_take(*mm, size, &p))) return p;
  }
  return malloc_slow(mm, size);
}

// Fast path: pool range check (one subtraction, one compare), class by a
// shift and a mask, block index and "is a block start" by one multiply with the
// class's reciprocal, liveness from the live-size table (which also gives
// the requested size), push to the cache. Everything else (NULL, large,
// fallback, bad pointers, full cache, secure_zero) is the slow path.
FASTALLOC32_API void fastalloc32_free(fastalloc32_mm* mm, void* ptr) {
  if (FA32_LIKELY(mm != nullptr)) {
    const uint64_t off = reinterpret_cast<uintptr_t>(ptr) - reinterpret_cast<uintptr_t>(mm->pool_base);
    if (FA32_LIKELY(off < mm->pool_span)) {
      bool at_start = false;
      const PoolPointer pp = decode_pool_pointer(*mm, off, ptr, &at_start);
      PoolClass& k = *pp.k;
      const uint64_t state = pp.state();
      uint32_t* top = k.cache_top;  // read once: the stores below may alias it for the compiler
      // at_start first: in this order the shared decode leaves free's code
      // as it was when it decoded inline.
      if (FA32_LIKELY(at_start && state != 0 && top < k.fast_free_end)) {
        pool_cache_push(*mm, k, top, pp.index, state);
        return;
      }
    }
  }
  free_slow_entry(mm, ptr);
}

// Fast path: malloc's, then the block zeroed. Overflow, large sizes and an
// empty cache are calloc_slow.
FASTALLOC32_API void* fastalloc32_calloc(fastalloc32_mm* mm, size_t count, size_t size) {
  size_t total = 0;
  if (FA32_LIKELY(mm != nullptr && !__builtin_mul_overflow(count, size, &total) && total <= mm->max_small)) {
    void* p;
    if (FA32_LIKELY(pool_cache_take(*mm, total, &p))) return std::memset(p, 0, total);
  }
  return calloc_slow(mm, count, size);
}

FASTALLOC32_API void* fastalloc32_realloc(fastalloc32_mm* mm, void* ptr, size_t size) {
  if (mm == nullptr) return nullptr;
  if (ptr == nullptr) return fastalloc32_malloc(mm, size);
  if (size == 0) {
    fastalloc32_free(mm, ptr);
    return nullptr;
  }
  // Fast paths for a live pool block: a size that still fits its block (a
  // string growing within it) changes in place; a larger one moves to a
  // larger class (a Lua table's array part doubling) when the new class's
  // cache has a block and the old one's has room. The checks are free's
  // and malloc's; the copy is the old block (size is above it); the
  // counters are realloc_block's. Everything else is realloc_block.
  const uint64_t off = reinterpret_cast<uintptr_t>(ptr) - reinterpret_cast<uintptr_t>(mm->pool_base);
  if (off < mm->pool_span) {
    bool at_start = false;
    const PoolPointer pp = decode_pool_pointer(*mm, off, ptr, &at_start);
    PoolClass& from = *pp.k;
    const uint64_t index = pp.index;
    const uint64_t state = pp.state();
    if (state == 0 || !at_start) return realloc_block(*mm, ptr, size);  // a bad pointer: reported there
    if (size <= from.block_size) {
      mm->counters.reallocs++;
      pool_resize_in_place(*mm, from, index, state, size);
      return ptr;
    }
    if (size > realloc_pool_limit(mm->max_small)) return realloc_block(*mm, ptr, size);
    PoolClass& to = *class_for_size(*mm, size);
    uint32_t* to_top = to.cache_top;
    uint32_t* from_top = from.cache_top;
    const uint32_t to_index = to_top[-1];
    if (to_index != kNoBlock && from_top < from.fast_free_end) {
      // size > from.block_size, so `to` is another class: the pop leaves
      // from_top as read.
      void* q = pool_cache_pop(*mm, to, to_top, to_index, size);
      std::memcpy(q, ptr, from.block_size);
      pool_cache_push(*mm, from, from_top, index, state);
      mm->counters.reallocs++;
      mm->counters.realloc_pool_to_pool++;
      mm->realloc_moves++;
      return q;
    }
  }
  return realloc_block(*mm, ptr, size);
}

FASTALLOC32_API void* fastalloc32_aligned_alloc(fastalloc32_mm* mm, size_t alignment, size_t size) {
  if (mm == nullptr) return nullptr;
  if (!is_pow2(alignment)) {
    report(*mm, FASTALLOC32_E_BAD_ALIGNMENT, nullptr);
    return nullptr;
  }
  return alloc_aligned(*mm, alignment, size);
}

FASTALLOC32_API size_t fastalloc32_usable_size(const fastalloc32_mm* mm, const void* ptr) {
  if (mm == nullptr || ptr == nullptr) return 0;
  const Location loc = locate(*mm, ptr);
  switch (loc.where) {
    case Where::pool:
      return mm->classes[loc.cls].block_size;
    case Where::large:
      return loc.entry->usable;
    case Where::fallback:
      return loc.slab->block_size;
    default:
      return 0;
  }
}

FASTALLOC32_API fastalloc32_kind fastalloc32_kind_of(const fastalloc32_mm* mm, const void* ptr) {
  if (mm == nullptr || ptr == nullptr) return FASTALLOC32_KIND_NONE;
  switch (locate(*mm, ptr).where) {
    case Where::pool:
      return FASTALLOC32_KIND_POOL;
    case Where::large:
      return FASTALLOC32_KIND_LARGE;
    case Where::fallback:
      return FASTALLOC32_KIND_FALLBACK;
    default:
      return FASTALLOC32_KIND_NONE;
  }
}

FASTALLOC32_API fastalloc32_status fastalloc32_last_status(const fastalloc32_mm* mm) {
  return mm == nullptr ? FASTALLOC32_E_BAD_CONFIG : mm->last_status;
}

}  // extern "C"
