// SPDX-License-Identifier: GPL-3.0-or-later
// Pool slow paths: the free list, never-used blocks, growth by chunks, and
// release with secure zeroing or a full cache.
#include <cstring>

#include "pool_ops.hpp"

namespace fa32::core {

namespace {

// Entries of a cache per page.
uint64_t entries_per_page(const Manager& m) noexcept {
  return m.page_size / sizeof(uint32_t);
}

// A page of the manager's metadata is about to be written for the first
// time: it is held from the system like a pool page. Its callers are in the
// middle of changing a class's cache or free list, which a trim of the pools
// would pull out from under them.
void count_metadata_page(Manager& m) noexcept {
  m.gauges.metadata.add(m.page_size);
  grow_footprint_keeping_pools(m, m.page_size);
}

// Counts the cache's pages up to `end` (<= cache + cache_capacity) before
// entries are written there. cache_touched_end is at a page's end (or the
// cache's), so it moves page by page from there.
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

// The first page of the cache, which it shares with the live-size table
// (manager.cpp), ends here.
uint32_t* shared_page_end(const Manager& m, const PoolClass& k) noexcept {
  const uintptr_t end = k.shared_page_start() + m.page_size;
  uint32_t* const limit = k.cache_home + k.cache_capacity;
  return end < reinterpret_cast<uintptr_t>(limit) ? reinterpret_cast<uint32_t*>(end) : limit;
}

// The class's own cache, at its first use: the sentinels below it (the
// inline malloc reads the one under the top when the cache is empty). Its
// first page was counted with the class's first block, which came before
// any block was freed.
void init_cache(Manager& m, PoolClass& k) noexcept {
  k.cache = k.cache_home;
  k.cache[-1] = kNoBlock;
  k.cache[-2] = kNoBlock;
  k.cache_top = k.cache;
  k.cache_touched_end = shared_page_end(m, k);
  touch_cache(m, k, k.cache);
}

// Words of a free-list bitmap or summary per page.
uint64_t words_per_page(const Manager& m) noexcept {
  return m.page_size / sizeof(uint64_t);
}

// Counts the pages of a free-list table (bitmap or summary) up to word
// `word` before it is written.
void touch_free_words(Manager& m, uint64_t* touched, uint64_t word) noexcept {
  while (*touched <= word) {
    *touched += words_per_page(m);
    count_metadata_page(m);
  }
}

void* take_fresh(Manager& m, PoolClass& k, size_t size) noexcept {
  const uint32_t index = k.bump;
  k.counters.fresh_blocks++;
  // The live-size table's pages follow bump_peak, down from the page it
  // shares with the cache (block 0's); a trim leaves them counted.
  if (index == k.bump_peak) {
    if (index == 0 || ((index - k.state_phase) & (m.page_size / sizeof(LiveSize) - 1)) == 0) {
      count_metadata_page(m);  // pages are powers of two
    }
    k.bump_peak = index + 1;
  }
  // Footprint: pool pages are counted once something is handed out in them.
  // Counted before bump moves: a trim this growth sets off then finds every
  // block of this class below bump live (its cache and free list are empty),
  // and the new block, still free in the table, above it.
  const size_t touched = pool_counted_end(m.page_size, m.huge_page, k, index + 1);
  if (touched > k.touched_bytes) {
    uint32_t ticks = 1;
    // Huge pages of the zone the new block reaches into, untouched so far
    // (the counted end before this was below them): asked for before the
    // block's first touch, so that the kernel backs each with one page.
    if (touched > k.huge_from && k.touched_bytes < k.huge_to) {
      const size_t from = k.touched_bytes > k.huge_from ? k.touched_bytes : k.huge_from;
      const size_t to = touched < k.huge_to ? touched : k.huge_to;
      if (to > from) sys_advise_huge(m, k.base - k.colour + from, to - from);
    } else if (touched <= k.runs_to() && touched - k.touched_bytes > m.page_size) {
      // A run of ordinary pages (ordinary_run_end): present before the
      // block's first touch, in one call rather than a fault a page.
      if (m.populate_runs)
        sys_populate_run(m, &m.counters.pool_page_runs, k.base - k.colour + k.touched_bytes,
                         touched - k.touched_bytes);
      const size_t step = k.block_size > m.page_size ? k.block_size : m.page_size;
      ticks = static_cast<uint32_t>((touched - k.touched_bytes) / step);
      if (ticks == 0) ticks = 1;
    }
    grow_footprint(m, FootprintPart::pools, touched - k.touched_bytes, ticks);
    k.touched_bytes = touched;
  }
  k.bump = index + 1;
  return pool_hand_out(m, k, index, size);
}

void push_free(Manager& m, PoolClass& k, uint32_t index) noexcept {
  const uint32_t word = index / 64;
  const uint32_t summary = word / 64;
  touch_free_words(m, &k.free_bits_touched, word);
  touch_free_words(m, &k.free_summary_touched, summary);
  k.free_bits[word] |= uint64_t(1) << (index % 64);
  k.free_summary[summary] |= uint64_t(1) << (word % 64);
  if (summary < k.free_low) k.free_low = summary;
  k.free_count++;
}

// Takes the n (<= free_count) lowest blocks off the free list and writes
// them downwards from `end`, so that a stack popped from end - n... hands
// out the lowest first. Address order beyond the cache: the blocks there
// are cold whatever their order, and neighbours handed out together share
// lines and pages.
void take_free(PoolClass& k, uint32_t* end, uint32_t n) noexcept {
  k.free_count -= n;
  uint32_t s = k.free_low;
  while (n != 0) {
    uint64_t summary = k.free_summary[s];
    while (summary != 0 && n != 0) {
      const uint32_t word = s * 64 + uint32_t(__builtin_ctzll(summary));
      uint64_t bits = k.free_bits[word];
      while (bits != 0 && n != 0) {
        *--end = word * 64 + uint32_t(__builtin_ctzll(bits));
        bits &= bits - 1;
        --n;
      }
      k.free_bits[word] = bits;
      if (bits == 0) summary &= summary - 1;
    }
    k.free_summary[s] = summary;
    if (summary == 0) ++s;
  }
  k.free_low = s;
}

// The cache moves to and from the free list half a cache at a time, so a
// burst of frees (or of mallocs) beyond the cache's size stays on the inline
// paths instead of taking the slow path once per block. The most recently
// freed blocks stay on top.
void spill_cache(Manager& m, PoolClass& k) noexcept {
  const uint32_t half = k.cache_capacity / 2;
  for (uint32_t i = 0; i < half; ++i) push_free(m, k, k.cache[i]);
  std::memmove(k.cache, k.cache + half, size_t(k.cache_count() - half) * sizeof(uint32_t));
  k.cache_top -= half;
}

void refill_cache(Manager& m, PoolClass& k) noexcept {
  uint32_t n = k.cache_capacity / 2;
  if (n > k.free_count) n = k.free_count;
  if (n == 0) return;
  if (!k.cache_ready()) init_cache(m, k);
  touch_cache(m, k, k.cache + n);
  take_free(k, k.cache + n, n);
  k.cache_top = k.cache + n;
}

}  // namespace

void* pool_alloc(Manager& m, uint32_t c, size_t size, bool zero) noexcept {
  PoolClass& k = m.classes[c];
  void* p = nullptr;
  if (k.cache_top != k.cache) {  // counted as a cache hit: allocs - freelist_hits - fresh_blocks
    p = pool_hand_out(m, k, *--k.cache_top, size);
  } else if (k.free_count != 0) {
    uint32_t index = kNoBlock;
    take_free(k, &index + 1, 1);
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
  pool_account_release(m, k, index, k.entry(index));
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

namespace {

// Class k's free blocks at its top, [j, bump) with j as low as they go,
// leave the cache (the order of the rest kept) and the free list, their
// pages go back to the kernel, and bump comes down to j: they are fresh
// blocks again, read zero, and count in the footprint when next handed
// out. Nothing happens without a whole page to give back, or when madvise
// fails (it refuses locked pages: a program that called mlockall). The
// pages past the page or run the kept blocks end in go back
// (pool_counted_end); the part of it the freed blocks reach into is zeroed
// by hand.
void trim_class_top(Manager& m, PoolClass& k) noexcept {
  uint32_t j = k.bump;
  while (j != 0 && k.entry(j - 1) == 0) --j;  // free: cached or on the free list
  if (j == k.bump) return;
  // The class's pool bytes still counted after the trim (trim_pools has
  // no huge pages: pages, or runs past kSinglePagesUpTo).
  const size_t keep = pool_counted_end(m.page_size, m.huge_page, k, j);
  if (k.touched_bytes <= keep) return;
  char* const stride = k.base - k.colour;
  const size_t bytes = k.touched_bytes - keep;
  if (!sys_trim_pool(m, stride + keep, bytes)) return;
  char* const first = k.block(j);
  if (stride + keep > first) std::memset(first, 0, size_t(stride + keep - first));

  uint32_t* kept = k.cache;
  for (const uint32_t* c = k.cache; c != k.cache_top; ++c) {
    if (*c < j) *kept++ = *c;
  }
  k.cache_top = kept;
  const uint64_t words = (uint64_t(k.bump) + 63) / 64;
  // Words past the bitmap's counted pages were never written: zero.
  const uint64_t end = words < k.free_bits_touched ? words : k.free_bits_touched;
  for (uint64_t word = j / 64; word < end; ++word) {
    const uint64_t mask = word == j / 64 ? ~uint64_t(0) << (j % 64) : ~uint64_t(0);
    const uint64_t gone = k.free_bits[word] & mask;
    if (gone == 0) continue;
    k.free_count -= static_cast<uint32_t>(__builtin_popcountll(gone));
    k.free_bits[word] &= ~mask;
    if (k.free_bits[word] == 0) k.free_summary[word / 64] &= ~(uint64_t(1) << (word % 64));
  }
  k.counters.trimmed_blocks += k.bump - j;
  k.bump = j;
  k.touched_bytes = keep;
  footprint_shrink(m.gauges, FootprintPart::pools, bytes);
}

}  // namespace

void trim_pool_tops(Manager& m) noexcept {
  for (uint32_t c = 0; c < m.class_count; ++c) trim_class_top(m, m.classes[c]);
}

uint64_t metadata_pages(const Manager& m) noexcept {
  const uint64_t page = m.page_size;
  const auto pages = [page](uint64_t bytes) { return (bytes + page - 1) / page; };
  uint64_t n = pages(kClassTableOffset + ((m.max_small >> kGranuleShift) + 1) * sizeof(uint16_t));
  for (uint32_t i = 0; i < m.class_count; ++i) {
    const PoolClass& k = m.classes[i];
    // The page the live-size table and the cache share, with the first
    // block; the table's further pages; the cache's further pages.
    if (k.bump_peak != 0) {
      n += 1 + (k.bump_peak > k.state_phase ? pages(uint64_t(k.bump_peak - k.state_phase) * sizeof(LiveSize))
                                            : 0);
    }
    const uint32_t* shared_end = shared_page_end(m, k);
    if (k.cache_ready() && k.cache_touched_end > shared_end) {
      n += pages(uint64_t(k.cache_touched_end - shared_end) * sizeof(uint32_t));
    }
    n += pages(k.free_bits_touched * sizeof(uint64_t)) + pages(k.free_summary_touched * sizeof(uint64_t));
  }
  return n;
}

}  // namespace fa32::core
