// SPDX-License-Identifier: GPL-3.0-or-later
// Config defaults and validation, and the manager's one reservation:
// create lays it out, destroy gives everything back.
#include "manager.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace fa32::core {

namespace {

constexpr uint32_t kMaxCacheCapacity = uint32_t(1) << 24;
constexpr size_t kDefaultClasses[] = {
    16,   32,   48,   64,   80,   96,   112,  128,  144,  160,   176,   192,   208,   224,   240,   256,
    288,  320,  352,  384,  416,  448,  480,  512,  576,  640,   704,   768,   832,   896,   960,   1024,
    1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048, 2304, 2560,  2816,  3072,  3328,  3584,  3840,  4096,
    4608, 5120, 5632, 6144, 6656, 7168, 7680, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384};
constexpr bool default_classes_are_fit_grid() {
  for (uint32_t i = 0; i < kFitKinds; ++i) {
    if (kDefaultClasses[i] != fit_size(i)) return false;
  }
  return sizeof kDefaultClasses / sizeof kDefaultClasses[0] == kFitKinds;
}
static_assert(default_classes_are_fit_grid(), "fallback blocks fit on the default classes' grid");
// Refuse reservations beyond this (address space, not memory).
constexpr size_t kMaxReservation = size_t(1) << 46;

// The manager's hot fields sit past every class's hot bytes modulo the
// class size (manager.hpp). offsetof on the manager is conditionally
// supported (its members are not all standard-layout); g++ and clang give
// the plain member offset.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
constexpr size_t kHotBegin = offsetof(fastalloc32_mm, pool_base);
constexpr size_t kHotEnd = offsetof(fastalloc32_mm, peaks) + sizeof(Peaks);
#pragma GCC diagnostic pop
static_assert(kHotBegin % sizeof(PoolClass) >= kClassHotBytes, "hot fields clear of the classes' hot bytes");
static_assert(kHotBegin / sizeof(PoolClass) == (kHotEnd - 1) / sizeof(PoolClass),
              "hot fields within one class-sized window");

size_t page_size() noexcept {
  const long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

// Where class i's first block lies past its stride's start. The strides
// are powers of two, so without it the first block of every class would
// share its low 12 address bits with the first block of every other class
// and with the manager (at the reservation's start). A program's hottest
// objects are often the first ones it allocates, and the CPU matches loads
// to older stores by those 12 bits first: a Lua interpreter with classes
// up to 4 KiB ran a closure script 1.4x slower than with classes up to
// 1 KiB until its hot object moved off the first 2048-byte block (see
// docs/design.md, "Coloured pools"). Colours step by 256 bytes, one class
// per 256-byte window of a page, at 192 bytes into the window: the first
// 96 bytes of each window are a class record's hot fields (PoolClass) and
// the manager's hot fields lie at 128-184 of the first window. Classes 16
// apart share a window (as their records do); the second sixteen start at
// 128 into it instead, so the 32 classes up to 512 B (by default) all
// start apart (class 16's first block at the manager's hot fields' offset,
// the one spot left), and the larger ones repeat the pattern. Colours stay
// multiples of 64, so 64-byte aligned requests still come from the pools.
size_t class_colour(uint32_t i, size_t alignment, size_t page) noexcept {
  if (alignment >= page) return 0;
  const size_t spot = (i / 16) % 2 == 0 ? 192 : 128;
  return ((size_t(i % 16) * 256 + spot) % page) & ~(alignment - 1);
}

// Where each part of the reservation goes.
struct Layout {
  size_t cache_offset[FASTALLOC32_MAX_CLASSES] = {};
  size_t state_offset[FASTALLOC32_MAX_CLASSES] = {};
  size_t free_offset[FASTALLOC32_MAX_CLASSES] = {};
  size_t summary_offset[FASTALLOC32_MAX_CLASSES] = {};
  uint32_t state_phase[FASTALLOC32_MAX_CLASSES] = {};
  uint32_t max_blocks[FASTALLOC32_MAX_CLASSES] = {};
  size_t colour[FASTALLOC32_MAX_CLASSES] = {};
  uint32_t max_chunks = 0;
  size_t stride = 0;
  size_t pool_offset = 0;  // from the (alignment-rounded) start
  size_t total = 0;
};

// Adds n bytes at `align` to *at; false on overflow.
bool place(size_t* at, size_t n, size_t align, size_t* where) noexcept {
  size_t start = 0;
  if (!align_up(*at, align, &start)) return false;
  *where = start;
  return !__builtin_add_overflow(start, n, at);
}

// Where the pools start: at the config's alignment, a page, or the huge
// page size the manager asks for, whichever is largest. On a huge page,
// every class's stride (a power of two) starts on one too, so where a
// class's huge-page zone begins (pool_counted_end) does not depend on
// where the kernel put the reservation, and neither do the footprint's
// figures.
size_t pool_alignment(const fastalloc32_config& c, size_t page, size_t huge_page) noexcept {
  const size_t align = c.alignment > page ? c.alignment : page;
  return huge_page > align ? huge_page : align;
}

bool plan(const fastalloc32_config& c, size_t page, size_t huge_page, Layout* out) noexcept {
  Layout l;
  const size_t chunks = c.pool_limit == 0 ? 1 : c.pool_limit / c.pool_size;
  // Checked before it is narrowed: 2^32 chunks or more wrapped to a few, or
  // to none, and the manager ran with classes that did not match their
  // limit. A chunk holds a block at least, so that many is too many blocks.
  if (chunks > UINT32_MAX) return false;
  l.max_chunks = static_cast<uint32_t>(chunks);
  size_t reserve = 0;
  if (__builtin_mul_overflow(size_t(l.max_chunks), c.pool_size, &reserve)) return false;
  if (reserve > kMaxReservation) return false;
  size_t rounded = 0;
  if (!align_up(reserve, page, &rounded)) return false;
  // Room for the classes' colours too, so a class holds as many blocks as
  // its pool_limit (or pool_size) says. A growing class whose limit is a
  // power of two gives up its last chunk to the colour instead of doubling
  // its stride: the default (64 MiB a class) would otherwise reserve twice
  // the address space for one page.
  const size_t colour_room = class_colour(FASTALLOC32_MAX_CLASSES - 1, c.alignment, page) == 0 ? 0 : page;
  if (l.max_chunks > 1 && colour_room != 0 && is_pow2(rounded) && rounded == reserve) {
    --l.max_chunks;
    reserve -= c.pool_size;
    if (!align_up(reserve, page, &rounded)) return false;
  }
  if (__builtin_add_overflow(rounded, colour_room, &rounded)) return false;
  l.stride = next_pow2(rounded);
  if (l.stride < c.alignment) l.stride = c.alignment;
  const size_t max_small = c.block_sizes[c.class_count - 1];

  size_t at = kClassTableOffset + ((max_small >> kGranuleShift) + 1) * sizeof(uint16_t);
  for (uint32_t i = 0; i < c.class_count; ++i) {
    const size_t bs = c.block_sizes[i];
    // Offset -> block index by a reciprocal is exact only while offset *
    // block size stays below 2^64 (see reciprocal in util.hpp).
    if (bs > UINT64_MAX / l.stride) return false;
    l.colour[i] = class_colour(i, c.alignment, page);
    // Every block lies inside the stride after the colour (colour_room), so
    // an offset below the colour wraps past the last block (offset_in_class).
    const size_t blocks = reserve / bs;
    if (blocks >= kNoBlock) return false;
    l.max_blocks[i] = static_cast<uint32_t>(blocks);
    // The live-size table covers the whole stride, so the inline free needs
    // no bound check before it reads an entry (untouched pages cost nothing).
    const size_t states = l.stride / bs + 1;
    // The live-size table grows down from `meet` and the cache up from it,
    // so a class's first entries of both share one page. When each began a
    // page of its own, a class in use cost two pages of metadata, and a
    // program that uses many classes with few blocks each (git-log: 59)
    // paid for all of them.
    // `meet` is at a class's own offset in its page, so that the tables of
    // different classes do not share their low address bits either (the
    // 4 KiB aliasing the class records avoid; see PoolClass).
    // Two entries below the cache: the sentinel the inline malloc reads
    // when the cache is empty (and prefetches through when it holds one
    // block: pool_cache_pop), and a second that no path reads, kept so
    // that the layout, and the metadata figures the tests work out by
    // hand, stay as they are.
    // The table's lowest entry starts a page of its own, so that no page
    // is counted for two tables.
    const size_t meet_offset = 1024 + (i % 32) * 64;  // < page: pages are at least 4 KiB
    const size_t table = states * sizeof(LiveSize);
    size_t meet = 0;
    size_t below = 0;  // the table's pages below the shared one
    if (!align_up(at, page, &meet) ||
        !align_up(table > meet_offset ? table - meet_offset : 0, page, &below) ||
        __builtin_add_overflow(meet, below + meet_offset, &meet)) {
      return false;
    }
    l.state_phase[i] = static_cast<uint32_t>(meet_offset / sizeof(LiveSize));
    l.state_offset[i] = meet - sizeof(LiveSize);
    l.cache_offset[i] = meet;
    if (__builtin_add_overflow(meet, (size_t(c.cache_capacity) + 2) * sizeof(uint32_t), &at)) return false;
    // The free list: its summary, then its bitmap.
    if (!place(&at, free_summary_words(blocks) * sizeof(uint64_t), page, &l.summary_offset[i])) return false;
    if (!place(&at, free_bitmap_words(blocks) * sizeof(uint64_t), page, &l.free_offset[i])) return false;
  }
  const size_t pool_align = pool_alignment(c, page, huge_page);
  if (!align_up(at, pool_align, &l.pool_offset)) return false;
  size_t pools = 0;
  if (__builtin_mul_overflow(l.stride, size_t(c.class_count), &pools)) return false;
  if (__builtin_add_overflow(l.pool_offset, pools, &l.total)) return false;
  // Slack so the pools can start at an alignment boundary beyond a page.
  if (pool_align > page && __builtin_add_overflow(l.total, pool_align, &l.total)) return false;
  if (l.total > kMaxReservation) return false;
  *out = l;
  return true;
}

}  // namespace

const char* config_problem(const fastalloc32_config& c) noexcept {
  if (c.size != sizeof(fastalloc32_config) || c.version != FASTALLOC32_CONFIG_VERSION) {
    return "size or version is not this library's: start from fastalloc32_config_init";
  }
  if (c.class_count == 0 || c.class_count > FASTALLOC32_MAX_CLASSES) {
    return "class_count must be 1 to FASTALLOC32_MAX_CLASSES (64)";
  }
  if (!is_pow2(c.alignment) || c.alignment < kMallocAlign || c.alignment > kMaxPoolBlock) {
    return "alignment must be a power of two from alignof(max_align_t) to 32768";
  }
  for (uint32_t i = 0; i < c.class_count; ++i) {
    const size_t bs = c.block_sizes[i];
    if (bs == 0 || bs > kMaxPoolBlock) return "every block size must be 1 to 65520 bytes";
    if (bs % c.alignment != 0) return "every block size must be a multiple of the alignment";
    if (i > 0 && bs <= c.block_sizes[i - 1]) return "block sizes must be ascending";
  }
  // Every class must hold at least one block; growth needs room for a chunk.
  if (c.pool_size < c.block_sizes[c.class_count - 1])
    return "pool_size must be at least the largest block size";
  if (c.pool_limit != 0 && c.pool_limit < c.pool_size)
    return "pool_limit must be 0 (no growth) or at least pool_size";
  if (c.cache_capacity > kMaxCacheCapacity) return "cache_capacity must be at most 2^24";
  if ((c.system.map == nullptr) != (c.system.unmap == nullptr))
    return "system.map and system.unmap go together";
  if ((c.system.malloc == nullptr) != (c.system.free == nullptr))
    return "system.malloc and system.free go together";
  Layout l;
  if (!plan(c, page_size(), 0, &l))
    return "the reservation would pass 2^46 bytes, or a class 2^32 - 1 blocks";
  return nullptr;
}

fastalloc32_status validate_config(const fastalloc32_config& c) noexcept {
  return config_problem(c) == nullptr ? FASTALLOC32_OK : FASTALLOC32_E_BAD_CONFIG;
}

}  // namespace fa32::core

using namespace fa32::core;

namespace {

// The one list of preset names: fastalloc32_config_preset looks a name up
// in it, and fastalloc32_preset_name gives it to the tools that list them.
constexpr const char* kPresetNames[] = {"default", "profiling", "compact", "original"};
enum : unsigned { kPresetDefault, kPresetProfiling, kPresetCompact, kPresetOriginal, kPresetCount };
static_assert(sizeof kPresetNames / sizeof kPresetNames[0] == kPresetCount, "a name for every preset");

// Class k's huge zone (pool_counted_end): the whole huge pages of its
// stride past its first kOrdinaryHugePages huge pages' worth. Empty without
// huge pages or when the stride holds none.
void set_huge_zone(Manager& m, PoolClass& k, size_t stride) noexcept {
  const size_t huge = m.huge_page;
  if (huge == 0) return;
  const uintptr_t start = reinterpret_cast<uintptr_t>(k.base) - k.colour;
  const size_t from = ((start + (kOrdinaryHugePages + 1) * huge - 1) & ~uintptr_t(huge - 1)) - start;
  if (from >= stride) return;
  const size_t to = from + (stride - from) / huge * huge;
  if (to == from) return;
  k.huge_from = from;
  k.huge_to = to;
}

}  // namespace

extern "C" {

FASTALLOC32_API void fastalloc32_config_init(fastalloc32_config* config) {
  if (config == nullptr) return;
  std::memset(config, 0, sizeof(*config));
  config->size = sizeof(fastalloc32_config);
  config->version = FASTALLOC32_CONFIG_VERSION;
  // Why these values: docs/performance.md measures them against the other
  // candidates on the Lua host and the recorded real traces.
  config->class_count = sizeof kDefaultClasses / sizeof kDefaultClasses[0];
  for (uint32_t i = 0; i < config->class_count; ++i) config->block_sizes[i] = kDefaultClasses[i];
  config->pool_size = size_t(256) << 10;
  config->pool_limit = size_t(64) << 20;
  config->cache_capacity = 4096;
  config->alignment = 16;
  config->large_cache_bytes = size_t(8) << 20;
  config->mmap_threshold = size_t(1) << 20;
  config->large_arena_size = size_t(1) << 30;
  config->secure_zero = 0;
  config->track_peaks = 0;
  config->trim_pools = 0;
  config->huge_pages = 1;
}

FASTALLOC32_API const char* fastalloc32_config_problem(const fastalloc32_config* config) {
  if (config == nullptr) return "no config (NULL)";
  return config_problem(*config);
}

FASTALLOC32_API const char* fastalloc32_preset_name(unsigned index) {
  return index < kPresetCount ? kPresetNames[index] : nullptr;
}

FASTALLOC32_API fastalloc32_status fastalloc32_config_preset(fastalloc32_config* config, const char* name) {
  if (config == nullptr || name == nullptr) return FASTALLOC32_E_BAD_CONFIG;
  unsigned preset = 0;
  while (preset < kPresetCount && std::strcmp(name, kPresetNames[preset]) != 0) ++preset;
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  if (preset == kPresetDefault) {
    // as initialised
  } else if (preset == kPresetProfiling) {
    c.track_peaks = 1;
  } else if (preset == kPresetCompact) {
    c.trim_pools = 1;
  } else if (preset == kPresetOriginal) {
    // The C fastalloc32 this library grew from: every small request in one
    // 128-byte class, a 1 MiB pool that never grows (the rest falls back to
    // the system malloc), a 512-entry cache. The peaks are kept, as they
    // were by this library's default until it changed.
    c.class_count = 1;
    std::memset(c.block_sizes, 0, sizeof c.block_sizes);
    c.block_sizes[0] = 128;
    c.pool_size = size_t(1) << 20;
    c.pool_limit = 0;
    c.cache_capacity = 512;
    c.track_peaks = 1;
  } else {
    return FASTALLOC32_E_BAD_CONFIG;
  }
  *config = c;
  return FASTALLOC32_OK;
}

FASTALLOC32_API fastalloc32_mm* fastalloc32_create(void) {
  fastalloc32_config config;
  fastalloc32_config_init(&config);
  return fastalloc32_create_with(&config, nullptr);
}

FASTALLOC32_API fastalloc32_mm* fastalloc32_create_with(const fastalloc32_config* config,
                                                        fastalloc32_status* status) {
  fastalloc32_status dummy = FASTALLOC32_OK;
  if (status == nullptr) status = &dummy;
  if (config == nullptr || config->size != sizeof(fastalloc32_config)) {
    *status = FASTALLOC32_E_BAD_CONFIG;
    return nullptr;
  }
  fastalloc32_config c = *config;
  *status = validate_config(c);
  if (*status != FASTALLOC32_OK) return nullptr;
  const size_t page = page_size();
  const bool runs = may_populate_runs(c);
  size_t huge = may_ask_huge_pages(c) && c.huge_pages != 0 ? transparent_huge_page_size() : 0;
  Layout l;
  // validate_config planned the same config without huge pages: that plan
  // cannot fail. Aligned for them, the reservation grows by up to two huge
  // pages of address space, which may pass the limit; then none.
  if (!plan(c, page, huge, &l)) {
    huge = 0;
    plan(c, page, 0, &l);
  }

  auto* region = static_cast<char*>(raw_map(c.system, l.total));
  uint64_t maps = 1;  // sys_maps counts every call, the refused ones too
  // The reservation is address space for every class's growth (over 4 GiB
  // by default), which a limit on it (ulimit -v, RLIMIT_AS) or a map hook
  // may refuse even when little memory will ever be used. Each class then
  // gives up half its growth room until the reservation fits: a smaller
  // pool_limit only sends a class to the fallback sooner, where a NULL
  // manager would leave the embedder with no allocator at all.
  while (region == nullptr && c.pool_limit > c.pool_size) {
    c.pool_limit = c.pool_limit / 2 > c.pool_size ? c.pool_limit / 2 : c.pool_size;
    plan(c, page, huge, &l);  // cannot fail: a smaller limit plans a smaller layout
    region = static_cast<char*>(raw_map(c.system, l.total));
    ++maps;
  }
  if (region == nullptr) {
    *status = FASTALLOC32_E_NOMEM;
    return nullptr;
  }
  auto* m = new (region) fastalloc32_mm();
  m->no_cache[0] = kNoBlock;
  m->no_cache[1] = kNoBlock;
  m->config = c;
  m->region = region;
  m->region_size = l.total;
  m->page_size = page;
  m->default_map = c.system.map == nullptr;
  m->secure_zero = c.secure_zero;
  m->trim_pools = c.trim_pools != 0;
  m->huge_page = huge;
  m->populate_runs = runs;
  m->track_peaks = c.track_peaks != 0;
  m->last_status = FASTALLOC32_OK;
  m->counters.sys_maps = maps;
  m->class_count = c.class_count;
  m->max_small = c.block_sizes[c.class_count - 1];
  m->stride_shift = log2_floor(l.stride);
  m->stride_mask = l.stride - 1;
  m->class_shift = m->stride_shift - log2_floor(sizeof(PoolClass));
  m->pool_span = uint64_t(c.class_count) << m->stride_shift;
  const size_t pool_align = pool_alignment(c, page, huge);
  m->pool_base =
      reinterpret_cast<char*>(align_up_ptr(reinterpret_cast<uintptr_t>(region) + l.pool_offset, pool_align));

  // size_index(size) -> the smallest class whose blocks hold every size
  // with that index (block sizes are multiples of kGranule).
  auto* class_of = const_cast<uint16_t*>(class_table(*m));
  uint32_t cls = 0;
  for (size_t i = 0; i <= (m->max_small >> kGranuleShift); ++i) {
    while (c.block_sizes[cls] < i * kGranule) ++cls;
    class_of[i] = static_cast<uint16_t>(cls * sizeof(PoolClass));
  }

  for (uint32_t i = 0; i < c.class_count; ++i) {
    PoolClass& k = m->classes[i];
    k.block_size = c.block_sizes[i];
    k.recip = reciprocal(k.block_size);
    k.colour = l.colour[i];
    k.base = m->pool_base + size_t(i) * l.stride + k.colour;
    k.cache_home = reinterpret_cast<uint32_t*>(region + l.cache_offset[i]) + 2;
    k.cache = m->no_cache + 2;  // init_cache sets up cache_home at the first push
    k.state = reinterpret_cast<LiveSize*>(region + l.state_offset[i]);
    k.state_phase = l.state_phase[i];
    k.free_bits = reinterpret_cast<uint64_t*>(region + l.free_offset[i]);
    k.free_summary = reinterpret_cast<uint64_t*>(region + l.summary_offset[i]);
    k.cache_capacity = c.cache_capacity;
    k.cache_top = k.cache;
    k.cache_touched_end = k.cache;
    k.fast_free_end = k.cache;
    k.max_blocks = l.max_blocks[i];
    k.max_chunks = l.max_chunks;
    k.chunks = 1;
    k.capacity = static_cast<uint32_t>(c.pool_size / k.block_size);
    set_huge_zone(*m, k, l.stride);
    if (runs) k.runs_end_units = run_zone_units(k.huge_to != 0 ? k.huge_from : l.stride);
  }
  // The manager's record and class table are written now.
  const uint64_t created = metadata_pages(*m) * page;
  m->gauges.metadata.add(created);
  footprint_grow(m->gauges, FootprintPart::metadata, created);
  *status = FASTALLOC32_OK;
  return m;
}

FASTALLOC32_API fastalloc32_status fastalloc32_get_config(const fastalloc32_mm* mm, fastalloc32_config* out) {
  if (mm == nullptr || out == nullptr) return FASTALLOC32_E_BAD_CONFIG;
  *out = mm->config;
  return FASTALLOC32_OK;
}

FASTALLOC32_API void fastalloc32_destroy(fastalloc32_mm* mm) {
  if (mm == nullptr) return;
  if (mm->secure_zero) wipe_live(*mm);
  large_release_all(*mm);
  slab_release_all(*mm);
  const fastalloc32_system system = mm->config.system;
  char* region = mm->region;
  const size_t size = mm->region_size;
  mm->~fastalloc32_mm();
  raw_unmap(system, region, size);
}

}  // extern "C"
