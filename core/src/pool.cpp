// SPDX-License-Identifier: GPL-3.0-or-later
// Pool slow paths: the free list, never-used blocks, growth by chunks, and
// release with secure zeroing or a full cache.
#include <cstring>

#include "pool_ops.hpp"

namespace fa32::core {

namespace {

// Entries of a metadata table (cache, live-size table, free list) per page.
uint64_t entries_per_page(const Manager& m) noexcept {
  return m.page_size / sizeof(uint32_t);
}

// A page of the manager's metadata is about to be written for the first
// time: it is held from the system like a pool page.
void count_metadata_page(Manager& m) noexcept {
  m.gauges.metadata.add(m.page_size);
  grow_footprint(m, m.page_size);
}

// Counts the cache's pages up to `end` (<= cache + cache_capacity) before
// entries are written there. The region starts at a page with the two
// sentinels (cache - 2), so cache_touched_end moves page by page from there.
void touch_cache(Manager& m, PoolClass& k, const uint32_t* end) noexcept {
  uint32_t* const limit = k.cache + k.cache_capacity;
  while (k.cache_touched_end < end && k.cache_touched_end < limit) {
    const uint64_t room = uint64_t(limit - k.cache_touched_end);
    const uint64_t step = entries_per_page(m) < room ? entries_per_page(m) : room;
    k.cache_touched_end += step;
    count_metadata_page(m);
  }
  k.fast_free_end = m.secure_zero ? k.cache : k.cache_touched_end;
}

// The class's own cache, at its first use: the sentinels below it (the
// inline malloc reads the one under the top when the cache is empty), on
// its first page, counted.
void init_cache(Manager& m, PoolClass& k) noexcept {
  k.cache = k.cache_home;
  k.cache[-1] = kNoBlock;
  k.cache[-2] = kNoBlock;
  k.cache_top = k.cache;
  k.cache_touched_end = k.cache - 2;  // nothing counted yet
  touch_cache(m, k, k.cache);
}

// Counts the free list's pages up to its first `count` entries.
void touch_free_list(Manager& m, PoolClass& k, uint64_t count) noexcept {
  while (k.free_touched < count) {
    k.free_touched += entries_per_page(m);
    count_metadata_page(m);
  }
}

void* take_fresh(Manager& m, PoolClass& k, size_t size) noexcept {
  const uint32_t index = k.bump++;
  k.counters.fresh_blocks++;
  // The live-size table's pages follow bump.
  if ((index & (entries_per_page(m) - 1)) == 0) count_metadata_page(m);  // pages are powers of two
  // Footprint: pool pages are counted once something is handed out in them.
  size_t touched = 0;
  align_up(k.colour + size_t(k.bump) * k.block_size, m.page_size, &touched);
  if (touched > k.touched_bytes) {
    grow_footprint(m, touched - k.touched_bytes);
    k.touched_bytes = touched;
  }
  return pool_hand_out(m, k, index, size);
}

void push_free(Manager& m, PoolClass& k, uint32_t index) noexcept {
  touch_free_list(m, k, uint64_t(k.free_count) + 1);
  k.free_list[k.free_count++] = index;
}

uint32_t pop_free(PoolClass& k) noexcept {
  return k.free_list[--k.free_count];
}

// The cache moves to and from the free list half a cache at a time, so a
// burst of frees (or of mallocs) beyond the cache's size stays on the inline
// paths instead of taking the slow path once per block. The most recently
// freed blocks stay on top.
void spill_cache(Manager& m, PoolClass& k) noexcept {
  const uint32_t half = k.cache_capacity / 2;
  touch_free_list(m, k, uint64_t(k.free_count) + half);
  std::memcpy(k.free_list + k.free_count, k.cache, size_t(half) * sizeof(uint32_t));
  k.free_count += half;
  std::memmove(k.cache, k.cache + half, size_t(k.cache_count() - half) * sizeof(uint32_t));
  k.cache_top -= half;
}

void refill_cache(Manager& m, PoolClass& k) noexcept {
  uint32_t n = k.cache_capacity / 2;
  if (n > k.free_count) n = k.free_count;
  if (n == 0) return;
  if (!k.cache_ready()) init_cache(m, k);
  touch_cache(m, k, k.cache + n);
  k.free_count -= n;
  std::memcpy(k.cache, k.free_list + k.free_count, size_t(n) * sizeof(uint32_t));
  k.cache_top = k.cache + n;
}

}  // namespace

void* pool_alloc(Manager& m, uint32_t c, size_t size, bool zero) noexcept {
  PoolClass& k = m.classes[c];
  void* p = nullptr;
  if (k.cache_top != k.cache) {  // counted as a cache hit: allocs - freelist_hits - fresh_blocks
    p = pool_hand_out(m, k, *--k.cache_top, size);
  } else if (k.free_count != 0) {
    const uint32_t index = pop_free(k);
    k.counters.freelist_hits++;
    refill_cache(m, k);
    p = pool_hand_out(m, k, index, size);
  } else {
    if (k.bump == k.capacity && k.chunks < k.max_chunks) {
      // Growth is bookkeeping inside the reservation: the new chunk's pages
      // cost nothing until blocks in them are handed out.
      k.chunks++;
      const uint64_t cap = uint64_t(k.chunks) * m.config.pool_size / k.block_size;
      k.capacity = cap > k.max_blocks ? k.max_blocks : static_cast<uint32_t>(cap);
      m.counters.pool_grows++;
    }
    if (k.bump == k.capacity) return nullptr;
    return take_fresh(m, k, size);  // never used: still zero from the map
  }
  if (zero) std::memset(p, 0, size);
  return p;
}

void pool_release(Manager& m, uint32_t c, uint32_t index) noexcept {
  PoolClass& k = m.classes[c];
  pool_account_release(m, k, index, k.state[index]);
  char* block = k.block(index);
  if (m.secure_zero) explicit_bzero(block, k.block_size);
  if (k.cache_count() == k.cache_capacity && k.cache_capacity >= 2) spill_cache(m, k);
  if (k.cache_count() < k.cache_capacity) {
    if (!k.cache_ready()) init_cache(m, k);
    touch_cache(m, k, k.cache_top + 1);
    *k.cache_top++ = index;
  } else {
    push_free(m, k, index);  // no cache at all
  }
}

uint64_t metadata_pages(const Manager& m) noexcept {
  const uint64_t page = m.page_size;
  const auto pages = [page](uint64_t bytes) { return (bytes + page - 1) / page; };
  uint64_t n = pages(kClassTableOffset + ((m.max_small >> kGranuleShift) + 1) * sizeof(uint16_t));
  for (uint32_t i = 0; i < m.class_count; ++i) {
    const PoolClass& k = m.classes[i];
    if (k.cache_ready()) n += pages(uint64_t(k.cache_touched_end - (k.cache - 2)) * sizeof(uint32_t));
    n += pages(uint64_t(k.bump) * sizeof(uint32_t));
    n += pages(uint64_t(k.free_touched) * sizeof(uint32_t));
  }
  return n;
}

}  // namespace fa32::core
