// SPDX-License-Identifier: GPL-3.0-or-later
// The manager: everything one allocation context owns. There is no global
// state; a manager is single-threaded by contract (see fastalloc32.h).
//
// Memory layout: ONE reservation from the map hook holds the manager
// itself, the class lookup table (at a fixed offset from the manager, so
// malloc finds it without loading a pointer), each class's cache and
// live-size table, and then the pools, one power-of-two stride per class.
// "Is this pointer a pool block, of which class, which block" is then a
// subtraction, a compare, a shift and one multiply by a reciprocal. Pages of
// the reservation cost nothing until they are touched. The pointer table,
// the large cache's records and the large arena get mappings of their own
// when the first request needs them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arena.hpp"
#include "fallback_slab.hpp"
#include "fastalloc32.h"
#include "large_cache.hpp"
#include "pool_class.hpp"
#include "ptr_table.hpp"
#include "stats.hpp"
#include "util.hpp"

namespace fa32::core {

// The class lookup table's unit of request size: one entry per 16 bytes.
// Block sizes are multiples of the alignment, at least 16, so every size
// with the same index fits the same classes.
inline constexpr unsigned kGranuleShift = 4;
inline constexpr size_t kGranule = size_t(1) << kGranuleShift;
// The lookup table's index for a request of `size` bytes: its size in
// granules, rounded up.
inline constexpr size_t size_index(size_t size) noexcept {
  return (size + kGranule - 1) >> kGranuleShift;
}
// Every pointer from the system malloc is aligned to at least this.
inline constexpr size_t kMallocAlign = alignof(std::max_align_t);
inline constexpr unsigned kFreedRing = 64;
// realloc keeps a block in the pools only up to this size (or the largest
// class, if smaller); growth past it goes to the large path.
inline constexpr size_t kReallocPoolLimit = 4096;
inline size_t realloc_pool_limit(size_t max_small) noexcept {
  return max_small < kReallocPoolLimit ? max_small : kReallocPoolLimit;
}

}  // namespace fa32::core

struct fastalloc32_mm {
  // The classes first, so class c is at the manager's address plus
  // c * sizeof(PoolClass): the inline paths find it with one add.
  fa32::core::PoolClass classes[FASTALLOC32_MAX_CLASSES];

  // Puts the hot fields below at offset 128 modulo sizeof(PoolClass), past
  // every class's hot bytes (kClassHotBytes): a load of one of them never
  // shares its low 12 address bits with the inline paths' stores to a class
  // (see PoolClass). Checked in manager.cpp.
  char hot_offset[128];

  // Hot fields: the inline paths touch only these and the class.
  char* pool_base;       // start of class 0's stride
  uint64_t pool_span;    // class_count << stride_shift
  uint64_t stride_mask;  // (1 << stride_shift) - 1
  unsigned stride_shift;
  // stride_shift - log2(sizeof(PoolClass)): (offset >> class_shift) with
  // the low bits cleared is the class's byte offset in the manager.
  unsigned class_shift;
  uint32_t class_count;
  size_t max_small;  // largest block size
  bool track_peaks;  // config.track_peaks
  int secure_zero;
  fa32::core::Peaks peaks;  // only with track_peaks
  fastalloc32_status last_status;
  fa32::core::Counters counters;
  fa32::core::Gauges gauges;
  uint64_t realloc_moves;  // hand-outs (and releases) made by realloc, not by malloc/free

  // Cold.
  fastalloc32_config config;  // copy, as given (hooks included), pool_limit as create reserved it
  bool default_map;           // map/unmap are mmap/munmap: mremap allowed
  size_t page_size;
  char* region;  // the one reservation (this manager lives in it)
  size_t region_size;
  fa32::core::PtrTable table;  // large blocks
  fa32::core::SlabSet slabs;   // fallback blocks
  fa32::core::LargeCache large_cache;
  fa32::core::Arena arena;
  bool trim_pools;  // config.trim_pools
  // The transparent huge page size the pools ask for (pool_counted_end in
  // pool_class.hpp), or 0: none with a map hook, with trim_pools, with
  // config.huge_pages 0, or when the kernel has them off.
  size_t huge_page;
  // Whether take_fresh makes a class's runs of ordinary pages present
  // (ordinary_run_end), and the arena a block's new pages (arena.cpp,
  // populate_new_pages): with the default mmap and no trim_pools, until the
  // kernel says it cannot (sys_populate_run). Not tied to huge pages: a
  // kernel whose transparent huge pages are off still has the call
  // (Linux 5.14 on).
  bool populate_runs;
  uint64_t pool_trim_peak;                  // the footprint peak at the last trim of the pools (pool.cpp)
  uintptr_t freed[fa32::core::kFreedRing];  // recently freed large pointers
  unsigned freed_next;
  uint32_t large_colours;  // large blocks coloured so far (next_large_colour)
  // Set by realloc_or_keep while it tries a shrink whose old block it keeps
  // on failure: fail_alloc then neither counts nor reports, since the call
  // succeeds, and sets shrink_failed instead.
  bool keep_on_failure;
  bool shrink_failed;
  // The sentinels of every class whose cache has not been used yet: such a
  // class's cache, cache_top, cache_touched_end and fast_free_end all point
  // just past them (no_cache + 2), so the inline malloc reads kNoBlock and
  // the inline free takes the slow path, which sets up the class's own
  // cache (init_cache) instead of create writing 64 pages of sentinels.
  uint32_t no_cache[2];
};

namespace fa32::core {

// The class lookup table (size_index(size) -> byte offset of the class in
// the manager) follows the manager in its reservation, starting past the
// classes' hot bytes modulo sizeof(PoolClass) for the reason hot_offset
// gives: entries up to size 1264 (with 96 hot bytes) then alias no class's
// hot bytes.
inline constexpr size_t kClassTableOffset =
    ((sizeof(Manager) + sizeof(PoolClass) - 1) & ~(sizeof(PoolClass) - 1)) + kClassHotBytes;
static_assert(is_pow2(sizeof(PoolClass)), "class offsets are a shift and a mask");
static_assert(sizeof(PoolClass) * FASTALLOC32_MAX_CLASSES <= UINT16_MAX, "class offsets fit the table");

// Whether a manager may make pages present in runs: only on its own
// mappings (the default mmap: a map hook's memory is not ours to advise).
// trim_pools keeps them: a trim keeps a class's pages to the end of the run
// its last kept block lies in (pool_counted_end), so it gives back whole
// runs, and a class that grows again makes them present in one call, not a
// page fault each. create decides by these two; fastalloc32_check holds the
// manager to them through its copy of the config.
inline bool may_populate_runs(const fastalloc32_config& c) noexcept {
  return c.system.map == nullptr;
}
// Whether it may ask for huge pages: where it may make runs, and not with
// trim_pools, whose trims would give back a class's top huge page whole
// and so keep little: on the four recorded traces with a class past
// 8 MiB, trims with huge pages kept lowered the footprint peak by 0.3-5.7 %,
// without them by 3.1-9.1 % (docs/performance.md, "Trims keep the page
// runs").
inline bool may_ask_huge_pages(const fastalloc32_config& c) noexcept {
  return may_populate_runs(c) && c.trim_pools == 0;
}

inline const uint16_t* class_table(const Manager& m) noexcept {
  return reinterpret_cast<const uint16_t*>(reinterpret_cast<const char*>(&m) + kClassTableOffset);
}
inline PoolClass& class_at(Manager& m, uint32_t offset) noexcept {
  return *reinterpret_cast<PoolClass*>(reinterpret_cast<char*>(&m) + offset);
}
inline uint32_t class_index(uint32_t offset) noexcept {
  return offset / sizeof(PoolClass);
}
// Whether p lies in the pools (a pool block, live or not, or inside one).
inline bool in_pools(const Manager& m, const void* p) noexcept {
  return reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(m.pool_base) < m.pool_span;
}

// A large or fallback block handed out, given back, or resized in place:
// the gauges that stand for every block outside the pools, and the peaks.
inline void count_outside_block(Manager& m, uint64_t requested, uint64_t reserved) noexcept {
  m.gauges.table_allocs.add(1);
  m.gauges.table_requested.add(requested);
  m.gauges.table_reserved.add(reserved);
  if (m.track_peaks) m.peaks.add_block(requested, reserved, 0);
}
inline void uncount_outside_block(Manager& m, uint64_t requested, uint64_t reserved) noexcept {
  m.gauges.table_allocs.sub(1);
  m.gauges.table_requested.sub(requested);
  m.gauges.table_reserved.sub(reserved);
  if (m.track_peaks) m.peaks.sub_block(requested, reserved, 0);
}
inline void change_outside_requested(Manager& m, uint64_t from, uint64_t to) noexcept {
  m.gauges.table_requested.change(from, to);
  if (m.track_peaks) m.peaks.bytes_requested.change(from, to);
}

// ---- system access (system.cpp): the config's hooks, every call counted.
void* sys_malloc(Manager& m, size_t size) noexcept;
void sys_free(Manager& m, void* p) noexcept;
// A reservation: address space (MAP_NORESERVE with the default mmap).
void* sys_map(Manager& m, size_t size) noexcept;
// A block for a caller at or above mmap_threshold: with the default mmap
// commit-charged like glibc's mappings, so it fails where they fail.
void* sys_map_block(Manager& m, size_t size) noexcept;
// Default mmap only: PROT_NONE address space that costs no commit charge
// until sys_commit makes a range of it read-write (and charges it).
void* sys_reserve(Manager& m, size_t size) noexcept;
bool sys_commit(Manager& m, void* p, size_t size) noexcept;
// Default mmap only: gives the pages back (MADV_DONTNEED; they read zero
// when next touched).
bool sys_decommit(Manager& m, void* p, size_t size) noexcept;
// The same for pool pages at a class's top, counted in pool_trims.
bool sys_trim_pool(Manager& m, void* p, size_t size) noexcept;
// Default mmap only: asks for huge pages for untouched pool pages
// (MADV_HUGEPAGE), counted in pool_huge_advices. A hint: when it fails the
// pages stay ordinary ones.
void sys_advise_huge(Manager& m, void* p, size_t size) noexcept;
// Default mmap only: makes a run of untouched pages present and writable
// in one call (MADV_POPULATE_WRITE), counted in *calls (pool_page_runs or
// arena_page_runs). A hint: when it fails the pages fault in as they are
// touched, and a kernel without it (before Linux 5.14) turns
// populate_runs off.
void sys_populate_run(Manager& m, uint64_t* calls, void* p, size_t size) noexcept;
// The transparent huge page size when the kernel grants them to a range
// that asks (enabled "always" or "madvise"), else 0. Read from sysfs at
// create.
size_t transparent_huge_page_size() noexcept;
void sys_unmap(Manager& m, void* p, size_t size) noexcept;
// mremap (MREMAP_MAYMOVE); only when default_map. nullptr on failure.
void* sys_remap(Manager& m, void* p, size_t old_size, size_t new_size) noexcept;
// The same, before a manager exists (create) and after it is gone (destroy).
void* raw_map(const fastalloc32_system& s, size_t size) noexcept;
void raw_unmap(const fastalloc32_system& s, void* p, size_t size) noexcept;

// ---- errors (api.cpp)
// Records status as last_status and calls on_error.
void report(Manager& m, fastalloc32_status status, const void* ptr) noexcept;
// report() for a request that returns NULL (counted in failed_allocs).
void fail_alloc(Manager& m, fastalloc32_status status) noexcept;

// ---- where a pointer belongs (locate.cpp)
enum class Where : uint8_t { pool, large, fallback, invalid, double_free, interior };
struct Location {
  Where where;
  uint32_t cls;
  uint32_t index;                // pool or slab block
  TableEntry* entry;             // large
  FallbackSlab* slab = nullptr;  // fallback
};
inline bool is_live_block(const Location& loc) noexcept {
  return loc.where == Where::pool || loc.where == Where::large || loc.where == Where::fallback;
}
Location locate(const Manager& m, const void* p) noexcept;
// Counts and reports a bad pointer found by locate (invalid/double/interior).
void report_bad_pointer(Manager& m, const Location& loc, const void* p) noexcept;

// ---- pool (pool.cpp): slow paths behind the inline ones in pool_ops.hpp
// A block of class c, or nullptr if the class is full and may not grow.
void* pool_alloc(Manager& m, uint32_t c, size_t size, bool zero) noexcept;
void pool_release(Manager& m, uint32_t c, uint32_t index) noexcept;
// The pages of the manager's own metadata that the footprint counts (the
// metadata gauge, in pages): the record and class table, and per class the
// page its live-size table and cache share (from its first block), the
// table's further pages up to bump_peak, the cache's up to cache_touched_end,
// and the free list's bitmap and summary pages counted so far.
uint64_t metadata_pages(const Manager& m) noexcept;
// Each class gives back the whole pages of the free blocks at its top.
// Run by grow_footprint (arena.cpp) with config.trim_pools, when the
// footprint is about to set a new peak. Every class has its own address
// range, so without it the pools hold the sum of each class's own peak,
// which a program whose classes peak at different times never has live at
// once (Lua's collector frees one class's blocks while another grows).
void trim_pool_tops(Manager& m) noexcept;

// ---- large (large.cpp)
// align: a power of two >= config alignment. reserve >= size: bytes wanted
// (realloc growth asks for more than size). NULL + fail_alloc on failure.
void* large_alloc(Manager& m, size_t size, size_t align, bool zero, size_t reserve) noexcept;
// Remembers a large pointer that stopped being live (freed, or left behind
// by realloc), so freeing it again within the next kFreedRing such pointers
// is reported as a double free rather than an invalid one.
void remember_freed(Manager& m, uintptr_t p) noexcept;
// Gives a large block's memory back to the system; `part` is the footprint's part
// it leaves (a live block's, or the large cache's).
void release_raw(Manager& m, BlockKind kind, char* raw, size_t raw_size, FootprintPart part) noexcept;
// The system refused memory: the blocks the large cache keeps and the empty
// fallback slabs kept for the next overflow go back to it, so that asking
// again may succeed (as Lua's collector runs and retries before it raises
// "not enough memory"); returns their bytes. Live blocks, the pools and the
// large arena are not touched.
uint64_t give_back_idle(Manager& m) noexcept;
// Releases a large block (e must be in the table).
void table_block_release(Manager& m, TableEntry* e) noexcept;
// Everything the large path holds, at destroy.
void large_release_all(Manager& m) noexcept;

// ---- fallback (fallback_slab.cpp)
// A block of class c (its pool full) from the class's slabs, aligned as a
// pool block of c is. NULL + fail_alloc on failure.
// A fallback block for a request of class c, aligned to `align` (the
// config's alignment or an aligned_alloc's, at most a page).
void* fallback_alloc(Manager& m, uint32_t c, size_t size, size_t align, bool zero) noexcept;
void slab_resize_in_place(Manager& m, FallbackSlab* s, uint32_t i, size_t size) noexcept;
void slab_release(Manager& m, FallbackSlab* s, uint32_t i) noexcept;
// With secure_zero, at destroy: the live blocks go back to the system malloc.
void slab_wipe_live(Manager& m) noexcept;
void slab_release_all(Manager& m) noexcept;
// Gives the empty slabs kept (one per kind at most) back; returns their bytes.
uint64_t slab_release_empty(Manager& m) noexcept;
struct SlabTotals {
  uint64_t live, requested, reserved, footprint;
};
// The slabs' invariants; false if one fails, else their totals.
bool slab_check(const Manager& m, SlabTotals* out) noexcept;

// ---- allocation dispatch (alloc.cpp)
// Any size with the config alignment: a class pool, its fallback, or large.
// A small request's block is a pool block (in_pools) unless its class was
// full and it came from the fallback.
void* alloc_small(Manager& m, size_t size, bool zero) noexcept;
void* alloc_any(Manager& m, size_t size, bool zero) noexcept;
void* alloc_aligned(Manager& m, size_t align, size_t size) noexcept;
// Releases a located live block (no user-level counters).
void release(Manager& m, const Location& loc) noexcept;
void* realloc_block(Manager& m, void* p, size_t size) noexcept;
// realloc for a caller to whom a shrink cannot fail (lua_Alloc): when size
// is at most the block's usable size and no smaller block can be had, the
// block stays where it is, at the new requested size, and the call counts
// as a resize in place, not as a failed allocation.
void* realloc_or_keep(Manager& m, void* p, size_t size) noexcept;
// With secure_zero, at destroy: wipes every live block whose memory goes
// back to the system malloc or the map hook (munmap needs no wipe).
void wipe_live(Manager& m) noexcept;
void free_slow(Manager& m, void* p) noexcept;

// ---- create/destroy (manager.cpp), checks (check.cpp)
// The first rule of fastalloc32.h's create_with that c breaks, or nullptr.
const char* config_problem(const fastalloc32_config& c) noexcept;
fastalloc32_status validate_config(const fastalloc32_config& c) noexcept;
fastalloc32_status check_manager(const Manager& m) noexcept;
// The manager's counters plus every class's (stats.cpp).
Counters sum_counters(const Manager& m) noexcept;

}  // namespace fa32::core
