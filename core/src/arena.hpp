// SPDX-License-Identifier: GPL-3.0-or-later
// The large arena: one reservation from which large blocks (from
// kArenaMinBytes up to below mmap_threshold) are carved in whole pages.
// A freed span coalesces with free neighbours and serves any later size, so
// once a program's large working set has been touched its large blocks cost
// neither a system call nor a page fault (a per-size cache of system blocks
// only helps when the same sizes come back).
//
// All bookkeeping is in a tag array beside the spans, one tag per page,
// never in the spans themselves: a write after free into a large block
// cannot corrupt the arena, and freed pages are not touched.
//
// Commit accounting: with the default mmap the spans' reservation is
// PROT_NONE address space, which the kernel charges nothing for, and the
// arena makes pages read-write with mprotect (kCommitBytes at a time) as
// its used end first reaches them. mprotect charges them to the kernel's
// commit accounting as the same mmap would be charged, so under any
// overcommit policy the arena hands out only what the system would back
// for glibc (whose own heaps grow the same way); when the charge is
// refused the request takes the system path, which fails as glibc fails.
// Pages given back with madvise keep their charge until destroy (as
// glibc's heaps keep theirs outside strict overcommit). With a map hook
// the whole arena is the hook's memory, read-write from the start.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stats.hpp"

namespace fa32::core {

inline constexpr uint32_t kNoSpan = UINT32_MAX;
// Smaller requests waste too much of a page and stay with the system malloc
// (a span is whole pages: at 16 KiB and up a request wastes under a quarter).
inline constexpr size_t kArenaMinBytes = 16 * 1024;
// Free span lists: exact page counts below kArenaExactBins, then four bins
// per power of two.
inline constexpr uint32_t kArenaExactBins = 32;
inline constexpr uint32_t kArenaBins = 128;
// Pages are made read-write (and commit-charged) in steps of this much.
inline constexpr size_t kCommitBytes = size_t(1) << 20;
// When the footprint would set a new peak (other than by the arena's own
// pages), the arena's free pages that have stayed free for its cold_ticks go
// back to the kernel if the free pages hold at least this much memory and
// a 1/kTrimShare share of the footprint, once per such rise of the peak.
// Every page given back and used again costs a page fault. On the recorded
// traces the footprint peak, counted then without the manager's metadata,
// fell by 0-13 % (perl 25.64 to 24.67 MiB, below glibc's 25.2 on that
// count; sqlite 13.35 to 11.73; Lua 53.47 to 51.34) for 0-4 % more page
// faults (docs/performance.md).
inline constexpr size_t kTrimBytes = size_t(256) << 10;
inline constexpr uint64_t kTrimShare = 32;
// Only free pages that have stayed free this many ticks (see Arena::clock)
// go back: a program whose large blocks come and go reuses its free spans
// within a few mallocs, and giving them back cost it a page fault per page
// each time (the suite's large-blocks replay: 8.7x slower, 2.3 times the
// page faults, without this rule). 256 rather than 64: on the recorded
// traces no footprint peak grows (Lua's falls from 51.97 to 51.34 MiB), and
// fewer given-back pages are faulted in again (perl-words 0.8 %, a Lua
// table-resizing script's trace 2.1 % fewer faults); from 384 on, perl's
// peak rises (25.10 MiB at 384, 25.64 at 4096) and Lua's too.
inline constexpr uint32_t kColdTicks = 256;
// Where the rule above misjudges a program, it learns: each trim first
// looks at what the program did with the pages the trim before it gave
// back, and when it took half or more of them again (a page fault each,
// for no lower peak), the arena's own threshold (Arena::cold_ticks)
// doubles, up to kMaxColdTicks. A Lua script that keeps 30 000 objects
// live and replaces them at random (bench/lua_host/scripts/gc_churn.lua)
// has its big arrays and strings freed and allocated again all the way up
// to its peak: at a fixed 256 ticks the trims gave back 23.8 MiB in 159
// calls and it faulted them all in again (22 800 page faults against
// 16 700 without the trims, 0.71 against 0.60 CPU seconds, the same peak
// resident set). A program whose trimmed pages stay unused keeps 256
// (sqlite-shop's footprint peak: 15.1 MiB, 16.7 without the trims).
inline constexpr uint32_t kMaxColdTicks = uint32_t(1) << 16;
static_assert((kColdTicks & (kColdTicks - 1)) == 0 && kColdTicks <= kMaxColdTicks,
              "doubling reaches kMaxColdTicks");
// The arena's unused end (the pages above its top, freed when the blocks
// at the top went) goes back at a trim whatever its age, as glibc gives its
// heap's top back at a free once it passes 128 KiB: a program whose blocks
// at the arena's top grow by realloc until they move to mmap leaves that
// end behind just before its footprint peaks, and the spans' age rule kept
// it. On lua-tables the default's footprint peak fell from 55.84 to 52.67
// MiB (compact's from 50.77 to 50.12, jq-orders' with compact from 34.23
// to 33.69), the others' by at most 0.08 MiB, and the replay times stayed
// level; the synthetic large-blocks replay (fa32 bench --suite), whose 5.2
// MiB end the program takes again at once, costs 3 % more time
// (docs/performance.md, "The arena's end at a trim"). Where the
// program takes those pages again, the end's age is learnt as the spans'
// is, from 0 to kColdTicks and on, but only from the second such trim
// running: on lua-tables the trim at 38 MiB gave back a 4 MiB end that the
// program then grew into again, and learning from that one kept the next
// end, at the peak (55.84 MiB again). A program whose end comes and goes
// near its peak pays its page faults two trims long, then the end waits.
inline constexpr uint32_t kEndColdTicks = 0;

enum class SpanState : uint32_t { none = 0, live = 1, free = 2 };

// Valid on a span's first and last page: its length and state. On a free
// span's first page also its free-list neighbours (page indices).
struct SpanTag {
  uint32_t pages;
  SpanState state;
  uint32_t prev;
  uint32_t next;
};

struct Arena {
  char* region = nullptr;  // the reservation: tags, then spans
  size_t region_size = 0;
  char* base = nullptr;  // page 0 of the spans
  SpanTag* tags = nullptr;
  uint32_t page_count = 0;  // pages the spans may use
  uint32_t top = 0;         // pages [0, top) are spans (live or free)
  // Pages [0, committed) have been handed out since the reservation or the
  // last decommit: they hold memory (footprint) and may be dirty; pages at
  // or above it read zero.
  uint32_t committed = 0;
  // Pages [0, accessible) are read-write (>= committed): commit-charged
  // with the default mmap, the map hook's memory otherwise. The rest of
  // the reservation is PROT_NONE.
  uint32_t accessible = 0;
  // One bit per page: given back to the kernel (by a trim or a decommit)
  // while free, so it holds no memory and reads zero. Set only on pages of
  // free spans below top and on pages in [top, committed).
  uint64_t* released = nullptr;
  uint64_t released_pages = 0;  // bits set
  uint64_t trim_peak = 0;       // the footprint peak at the last trim
  // Ticks at every arena malloc and every other growth of the footprint
  // (a pool page, a system block, a slab): how long free pages have stayed
  // free. Free spans carry the tick they were freed at (stamp_freed).
  uint32_t clock = 0;
  uint32_t end_freed = 0;       // the tick when top last came down
  uint32_t next_trim_tick = 0;  // no trim before this tick
  uint64_t free_pages = 0;      // in free spans below top
  uint32_t epoch_top = 0;       // highest top since the last decommit check
  uint32_t epoch_frees = 0;     // spans freed since then
  bool unavailable = false;     // the reservation failed or is disabled: do not retry
  // Free pages are cold after this many ticks: kColdTicks, doubled (up to
  // kMaxColdTicks) by each trim that finds that, since the last trim gave
  // back trimmed_pages, the program has taken half as many or more pages
  // that a trim gave back (retaken_pages; the last one's, or older ones').
  uint32_t cold_ticks = kColdTicks;
  uint64_t trimmed_pages = 0;
  uint64_t retaken_pages = 0;
  // The same for the unused end, [top, committed), with an age of its own
  // (see kEndColdTicks): 0 until two trims running find that the end has
  // grown back into half or more of the pages the trims before them gave
  // back (end_retaken_pages of end_trimmed_pages: the end's new pages below
  // end_trimmed_to, the highest end a trim gave back), then kColdTicks,
  // doubled at each such trim up to kMaxColdTicks. end_doubted: the first
  // of the two has been.
  uint32_t end_cold_ticks = kEndColdTicks;
  bool end_doubted = false;
  uint32_t end_trimmed_to = 0;
  uint64_t end_trimmed_pages = 0;
  uint64_t end_retaken_pages = 0;
  uint32_t heads[kArenaBins];
  uint64_t nonempty[kArenaBins / 64];
};

}  // namespace fa32::core

struct fastalloc32_mm;

namespace fa32::core {

using Manager = ::fastalloc32_mm;

struct ArenaBlock {
  char* ptr;     // page aligned
  size_t bytes;  // whole pages
  bool zero;     // reads zero already (never handed out since committed)
};

// A span for `bytes` (kArenaMinBytes <= bytes < mmap_threshold). false when
// the arena cannot serve it (not reserved and the reservation failed, or
// full): the caller takes the system path.
bool arena_alloc(Manager& m, size_t bytes, ArenaBlock* out) noexcept;
// Gives back a live span (ptr as returned by arena_alloc).
void arena_free(Manager& m, char* ptr) noexcept;
// Grows or shrinks the live span at ptr in place to `bytes` (whole pages
// kept); returns its new length, or 0 if growing needs a move (nothing
// changed).
size_t arena_resize(Manager& m, char* ptr, size_t bytes) noexcept;
bool arena_owns(const Manager& m, const void* p) noexcept;
// The footprint grows by `bytes` through anything but the arena's own pages
// (pool pages, a system block, a slab, a mapping's growth): a tick of the
// arena's clock, and when that would set a new footprint peak, the pools'
// free tops (with config.trim_pools: trim_pool_tops), the large cache's
// cold blocks (cache_trim_cold) and the arena's free pages that stayed free
// go back to the kernel first (see kTrimBytes and kColdTicks); then the
// gauge moves. The arena's own new pages run the pools' trim only
// (arena.cpp, add_arena_pages). Out of line: only slow paths grow the
// footprint. `ticks`: a run of pool pages made present at once
// (ordinary_run_end) ticks as often as its pages would have one by one,
// so that the arena's age of free pages does not depend on the runs
// (with a tick per run, sqlite-shop's footprint peak rose from 15.11 to
// 16.73 MiB: the arena kept the pages of a 2 MB block that had gone).
void grow_footprint(Manager& m, FootprintPart part, uint64_t bytes, uint32_t ticks = 1) noexcept;
// The same for a metadata page, without the pools' trim: a class's cache or
// free list takes those in the middle of changing them.
void grow_footprint_keeping_pools(Manager& m, uint64_t bytes) noexcept;
// Everything, at destroy.
void arena_release(Manager& m) noexcept;
// Every span walked: tags consistent, free lists match. live_pages is the
// sum of the live spans.
bool arena_check(const Manager& m, uint64_t* live_pages) noexcept;

}  // namespace fa32::core
