// SPDX-License-Identifier: GPL-3.0-or-later
// One size class: a run of fixed-size blocks inside the manager's reserved
// pool region, the live-size table (per block: 0 when free, requested + 1
// when live), the LIFO cache of freed blocks and the free list behind it
// (a bitmap of the freed blocks that overflowed the cache). Both live
// outside the blocks: the allocator never writes into a freed block (no
// pointer chasing through cold blocks, and a secure_zero'd block stays all
// zero).
//
// The live-size table is the live bitmap and the requested sizes in one:
// free must read the requested size anyway (for the byte counters), so the
// liveness check costs no extra load, and malloc one store for both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stats.hpp"
#include "util.hpp"

namespace fa32::core {

inline constexpr uint32_t kNoBlock = UINT32_MAX;

// A block's entry in its class's live-size table: 0 free, requested + 1
// live. 16 bits, so pool blocks are at most kMaxPoolBlock bytes: the table
// is 2 bytes a block handed out, and with 4 it was the largest part of the
// manager's own memory (lua-tables: 2.3 MiB of the footprint, for 569 k
// live blocks), and free's load of it is a miss on a large live set.
using LiveSize = uint16_t;
inline constexpr size_t kMaxPoolBlock = 65520;  // the largest multiple of 16 with requested + 1 in 16 bits
static_assert(kMaxPoolBlock + 1 <= UINT16_MAX && kMaxPoolBlock % 16 == 0, "see LiveSize");

// Words of a class's free-list bitmap (a bit a block) and of its summary
// (a bit a bitmap word), for a class of `blocks` blocks.
inline constexpr uint64_t free_bitmap_words(uint64_t blocks) noexcept {
  return (blocks + 63) / 64;
}
inline constexpr uint64_t free_summary_words(uint64_t blocks) noexcept {
  return (free_bitmap_words(blocks) + 63) / 64;
}

// The counters only a class's slow paths move; the public stats add them
// to the manager's (stats.cpp).
struct ClassCounters {
  uint64_t freelist_hits = 0;
  uint64_t fresh_blocks = 0;
  uint64_t fallback_allocs = 0;
  uint64_t trimmed_blocks = 0;  // blocks a trim took off the top (fresh again after)
};

// What the inline malloc and free read and write (the first kClassHotBytes),
// then the rest. The statistics the fast paths move are plain counters of
// their own class (two in malloc, one in free); everything else the public
// stats report is derived from them (see stats.cpp), except the peaks kept
// with config.track_peaks.
// Aligned (and so sized) to 256 bytes, a power of two: the class lookup
// table holds each class's byte offset in the manager, and free gets it
// from the pool offset by one shift and a mask. 256 and not more so that
// sixteen classes fit in 4 KiB: with 512-byte classes, class c and class
// c + 8 had their hot fields at the same address modulo 4 KiB. The CPU
// matches loads against older stores by the low 12 address bits first, so
// (as every measurement indicates) a load of one class's cache top waited
// behind a store to the other's: mixed_sizes, with every class in use,
// took 1.6x as long. With 64 classes, c and c + 16 share those bits; the
// default puts its sixteen smallest (16-256 B) in the first row. See
// docs/design.md, "Class records of 256 bytes".
struct alignas(256) PoolClass {
  // Hot.
  // First block: its stride's start plus the class's colour (see
  // class_colour in manager.cpp), so blocks of different classes do not
  // start at the same address modulo 4 KiB.
  char* base = nullptr;
  uint32_t* cache = nullptr;      // LIFO of freed block indices: [cache, cache_top)
  uint32_t* cache_top = nullptr;  // one past the most recently cached index
  // Entry 0 of the live-size table (per block of the class's whole
  // stride: 0 free, requested + 1 live). The table grows down from its
  // cache's sentinels, so that both begin in one page (manager.cpp):
  // entry i is state[-i] (entry()).
  LiveSize* state = nullptr;
  uint64_t recip = 0;  // reciprocal(block_size): offset -> index, and "is a block start"
  size_t block_size = 0;
  // cache_touched_end (the end of the cache's pages counted in the
  // footprint, at most cache + cache_capacity), or cache with secure_zero:
  // the inline free then always takes the slow path, which zeroes or counts
  // the cache's next page (one compare instead of two).
  uint32_t* fast_free_end = nullptr;
  uint64_t allocs = 0;  // blocks handed out, any path (pool_allocs)
  // The live-size entries (requested + 1) of blocks taken back, plus bytes
  // given up by shrinking in place: free adds the entry it read as it is.
  // Between the two counters malloc moves, so the compiler does not merge
  // them into one vector add (six instructions instead of two).
  uint64_t released = 0;
  uint64_t requested_in = 0;  // bytes requested by every hand-out (and in-place growth)
  Peak requested_peak;        // only with track_peaks

  // Behind the cache: the free list and the never-used blocks. The free
  // list is a bitmap, bit i set while block i is on it, with a summary bit
  // per bitmap word that is not zero; taking from it hands out the lowest
  // blocks first. A stack of indices cost 4 bytes an entry ever used, and
  // after a garbage collector freed half a heap at once it held them all
  // (lua-tables: about 2 MiB of its 4.7 MiB of metadata); the bitmap costs
  // a bit a block.
  uint32_t cache_capacity = 0;
  // Where the class's run zone ends (runs_to()), in units of kLargeRun.
  // 32 bits, in what was cache_capacity's padding: the record stays 256
  // bytes and every other field keeps the place it was measured in.
  // (Moving state_phase here instead read 1-5 % slower on sqlite-shop in
  // 7 paired runs and level in 3 more: within the noise, but no reason to
  // move it.)
  uint32_t runs_end_units = 0;
  uint64_t* free_bits = nullptr;
  uint64_t* free_summary = nullptr;
  uint32_t free_count = 0;  // bits set in free_bits
  uint32_t free_low = 0;    // free_summary's words below this one are zero
  // Blocks [0, bump) have been handed out since they were last fresh. A
  // trim (pool.cpp) lowers bump over free blocks at the top and gives
  // their pages back; bump_peak, its highest, is where the live-size
  // table's counted pages end and the most blocks ever in use at once.
  uint32_t bump = 0;
  uint32_t bump_peak = 0;
  uint32_t capacity = 0;    // blocks usable now (grows by chunks)
  uint32_t max_blocks = 0;  // blocks the reservation can ever hold
  uint32_t chunks = 0;      // pool_size chunks in use
  uint32_t max_chunks = 0;
  size_t colour = 0;         // base minus the stride's start
  size_t touched_bytes = 0;  // colour + bump * block_size rounded up to pages: pool footprint
  // The metadata's pages counted in the footprint so far. The cache's
  // region (two sentinel entries, then the cache) starts at a page, as do
  // the live-size table (its pages follow bump_peak) and the free list.
  // cache_touched_end is the end of the cache's counted pages (at most
  // cache + cache_capacity), and the inline free's fast_free_end: a push
  // onto a page not yet counted takes the slow path once. The free list's
  // bitmap and summary each start at a page; free_bits_touched and
  // free_summary_touched are the words their counted pages hold.
  uint32_t* cache_touched_end = nullptr;
  // Live-size entries in the page the table shares with the cache (the
  // entries below index state_phase); the table's further pages begin at
  // state_phase + a multiple of a page's entries.
  uint32_t state_phase = 0;
  uint64_t free_bits_touched = 0;
  uint64_t free_summary_touched = 0;
  // Where the cache lives once used: cache is this, or the manager's
  // no_cache + 2 until the first block is pushed onto it.
  uint32_t* cache_home = nullptr;
  bool cache_ready() const noexcept { return cache == cache_home; }
  // The part of the stride, from its start, whose pages are made present a
  // run at a time (ordinary_run_end): up to the huge zone, or the whole
  // stride when there is none (run_zone_units). 0 where the manager makes
  // no runs (a map hook, trim_pools).
  size_t runs_to() const noexcept;
  // The part of the stride whose pages are asked for as huge pages, from
  // the stride's start: [huge_from, huge_to), whole huge pages from the
  // second (pool_counted_end). Empty without them.
  size_t huge_from = 0;
  size_t huge_to = 0;

  ClassCounters counters;

  // Every block below bump is live, cached or on the free list, so free
  // needs no counter of its own.
  uint32_t cache_count() const noexcept { return static_cast<uint32_t>(cache_top - cache); }
  uint64_t live_blocks() const noexcept { return uint64_t(bump) - cache_count() - free_count; }
  uint64_t frees() const noexcept { return allocs - live_blocks(); }
  uint64_t requested_live() const noexcept { return requested_in - (released - frees()); }
  char* block(uint32_t index) const noexcept { return block(index, block_size); }
  // The same with block_size already in hand (the inline malloc's).
  char* block(uint32_t index, size_t size) const noexcept { return base + size_t(index) * size; }
  LiveSize& entry(uint64_t index) noexcept { return state[-static_cast<ptrdiff_t>(index)]; }
  LiveSize entry(uint64_t index) const noexcept { return state[-static_cast<ptrdiff_t>(index)]; }
  bool is_live(uint64_t index) const noexcept { return entry(index) != 0; }
  uint32_t requested(uint64_t index) const noexcept { return uint32_t(entry(index)) - 1; }
  void set_live(uint64_t index, size_t size) noexcept { entry(index) = static_cast<LiveSize>(size + 1); }
  // Block index of an offset inside the class's stride, and whether the
  // offset is a block's first byte.
  uint64_t index_of(uint64_t in, bool* at_start) const noexcept {
    return divide_by_reciprocal(in, recip, at_start);
  }
  void clear_live(uint64_t index) noexcept { entry(index) = 0; }
  // Where the page the live-size table shares with the cache begins: at
  // entry state_phase - 1, the table's lowest entry in it (entry 0 is just
  // below the cache's sentinels).
  uintptr_t shared_page_start() const noexcept {
    return reinterpret_cast<uintptr_t>(state + 1) - uintptr_t(state_phase) * sizeof(LiveSize);
  }
};

// A class's first huge pages' worth of its stride that stay ordinary pages
// (8 MiB on x86-64): a class that never holds more costs no huge page.
// Huge pages cost up to one (2 MiB) a class in footprint, which weighs
// most on the classes of a few MiB, and since pool pages come in runs
// (below) those classes gain little from them. With 4 instead of 1 the
// footprint peaks of six recorded traces fell 3-20 % (python-json and
// sqlite-shop to those of huge pages off), and the time stayed level:
// 0.96-1.04x by trace (medians of 15 alternating rounds, --touch first;
// git-log, whose classes never reach 2 MiB, read 0.96x, the spread
// between the two builds), 0.97x on the Lua host in geometric mean
// (word_freq 0.90x, its peak RSS 12.6 MiB against 14.7), 0.98-1.03x on
// the suite (docs/performance.md, "Huge pages from 8 MiB"). Before pages
// came in runs, 2 had saved no footprint on six traces and cost up to
// 22 % ("Pages, not caches").
inline constexpr size_t kOrdinaryHugePages = 4;

// Below the huge zone (or through the whole stride when the class has
// none: huge pages off by config or by the kernel), a class's pages are
// made present a run at a time (MADV_POPULATE_WRITE, take_fresh in
// pool.cpp) rather than by a page fault each: one kernel entry per run.
// Runs grow with the class, so that the pages made present ahead of its
// blocks stay under a quarter of what it holds: single pages up to 64 KiB,
// runs of 16 KiB up to 256 KiB, of 64 KiB from there to the huge zone
// (8 MiB) or the stride's end: 56 kernel entries for a class's first 2 MiB
// instead of 512 page faults. A block of more than a page takes its pages
// in one call wherever it lies in a stride of 64 KiB or more (take_fresh
// makes present whatever one growth of the counted end adds, when that is
// more than a page). Why: on the benchmark
// machine a page fault costs about a microsecond (the VM flushes the TLB
// at every kernel entry), and on the recorded traces the first touches of
// fresh pool pages were where fastalloc32 still lost to tcmalloc. In four
// interleaved pairs against the build before (the recorded traces and the
// Lua host, default config, busy machine): git-log 1.12-1.22x the fastest
// other allocator instead of 1.21-1.31x, sqlite-shop 0.88-1.09x instead of
// 1.08-1.12x, the Lua host's gc_churn 0.77-0.96x instead of 1.01-1.23x, for
// 0-0.55 MiB (0-2 %) more footprint peak (docs/performance.md, "Pool pages
// in runs").
inline constexpr size_t kSinglePagesUpTo = size_t(64) << 10;
inline constexpr size_t kSmallRunsUpTo = size_t(256) << 10;
inline constexpr size_t kSmallRun = size_t(16) << 10;
inline constexpr size_t kLargeRun = size_t(64) << 10;

// A run zone ending `end` bytes into the stride (the huge zone's start,
// whole huge pages and so whole runs, or the stride's end), in whole runs
// of kLargeRun: a stride under 64 KiB has none, and needs none (its pages
// are single pages, kSinglePagesUpTo). Strides are at most 2^46 bytes, so
// the units fit in 32 bits.
inline uint32_t run_zone_units(size_t end) noexcept {
  return static_cast<uint32_t>(end / kLargeRun);
}
inline size_t PoolClass::runs_to() const noexcept {
  return size_t(runs_end_units) * kLargeRun;
}

// `end` (page-aligned, at most runs_to) rounded up to the end of its run;
// never past runs_to: the huge zone's start, a multiple of a huge page and
// so of every run that reaches it, or the stride's end.
inline size_t ordinary_run_end(size_t page, size_t runs_to, size_t end) noexcept {
  if (end <= kSinglePagesUpTo) return end;
  size_t run = end <= kSmallRunsUpTo ? kSmallRun : kLargeRun;
  if (run < page) run = page;
  const size_t rounded = (end + run - 1) & ~(run - 1);
  return rounded < runs_to ? rounded : runs_to;
}

// The bytes of class k's stride that its first `blocks` blocks make count
// in the footprint, from the stride's start: their pages, and in the huge
// zone [huge_from, huge_to) whole huge pages. A class that has filled a
// huge page's worth of ordinary pages asks for each further whole huge page
// of its stride before a block in it is handed out (take_fresh, pool.cpp),
// and the kernel backs it with one page on its first touch, so it counts
// whole from then. Why: on the recorded traces the pools' page faults and
// TLB misses were where fastalloc32 lost to tcmalloc and mimalloc, most of
// all on a busy machine, where a switch away flushes the TLB; see docs/design.md,
// "Huge pages for large classes". Small classes keep ordinary pages, so
// the footprint of a small program does not grow by a huge page a class.
inline size_t pool_counted_end(size_t page, size_t huge_page, const PoolClass& k, uint32_t blocks) noexcept {
  if (blocks == 0) return 0;
  size_t end = 0;
  align_up(k.colour + size_t(blocks) * k.block_size, page, &end);
  const size_t runs_to = k.runs_to();
  if (end <= runs_to) return ordinary_run_end(page, runs_to, end);
  if (end <= k.huge_from || end > k.huge_to) return end;
  // huge_to - huge_from is a multiple of huge_page: no overflow, at most huge_to.
  return k.huge_from + (end - k.huge_from + huge_page - 1) / huge_page * huge_page;
}

// Bytes at the start of a class that the inline paths store to (through
// requested_peak). Loads the inline paths make elsewhere in the manager are
// kept off these offsets modulo sizeof(PoolClass) (see manager.hpp).
inline constexpr size_t kClassHotBytes = offsetof(PoolClass, cache_capacity);
static_assert(sizeof(PoolClass) == 256, "see the comment above PoolClass");
static_assert(kClassHotBytes <= 96, "the manager's hot fields and the class table sit after the hot bytes");

}  // namespace fa32::core
