// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_check: every invariant the manager relies on, verified by
// walking pools, live-size tables, caches, free lists, the pointer table
// and the large cache, then cross-checked against the counters. O(blocks
// the pools hold now).

#include <initializer_list>

#include "manager.hpp"

namespace fa32::core {

namespace {

#define FA32_EXPECT(cond)                      \
  do {                                         \
    if (!(cond)) return FASTALLOC32_E_CORRUPT; \
  } while (0)

fastalloc32_status check_class(const Manager& m, PoolClass& k, uint64_t* live_out, uint64_t* requested_out) {
  FA32_EXPECT(k.bump <= k.bump_peak && k.bump_peak <= k.capacity && k.capacity <= k.max_blocks);
  FA32_EXPECT(k.chunks >= 1 && k.chunks <= k.max_chunks);
  if (!k.cache_ready()) {
    // Never pushed onto: everything points past the shared sentinels.
    const uint32_t* shared = m.no_cache + 2;
    FA32_EXPECT(k.cache == shared && k.cache_top == shared && k.cache_touched_end == shared &&
                k.fast_free_end == shared);
    FA32_EXPECT(m.no_cache[0] == kNoBlock && m.no_cache[1] == kNoBlock);
  }
  FA32_EXPECT(k.cache_top >= k.cache && k.cache_count() <= k.cache_capacity);
  // The cache's counted pages: from the page it shares with the live-size
  // table (its sentinels first, the table's entry 0 just below them, at
  // state_phase entries into a page) up to cache_touched_end, which the
  // inline free stops at. A cache is set up at a block's first free, after
  // the first block was handed out.
  const uintptr_t meet = reinterpret_cast<uintptr_t>(k.cache_home - 2);
  FA32_EXPECT(reinterpret_cast<uintptr_t>(k.state + 1) == meet);
  FA32_EXPECT(k.state_phase != 0 && k.shared_page_start() % m.page_size == 0);
  if (k.cache_ready()) {
    FA32_EXPECT(k.bump_peak != 0);
    FA32_EXPECT(k.cache_touched_end >= k.cache_top && k.cache_touched_end <= k.cache + k.cache_capacity);
    FA32_EXPECT(k.cache_touched_end == k.cache + k.cache_capacity ||
                reinterpret_cast<uintptr_t>(k.cache_touched_end) % m.page_size == 0);
    FA32_EXPECT(k.fast_free_end == (m.secure_zero ? k.cache : k.cache_touched_end));
  }
  const uint64_t words_per_page = m.page_size / sizeof(uint64_t);
  FA32_EXPECT(k.free_bits_touched % words_per_page == 0 && k.free_summary_touched % words_per_page == 0);
  // Counted pages stay within the free list's tables (each rounded to pages).
  const uint64_t bitmap_words = free_bitmap_words(k.max_blocks);
  const uint64_t summary_words = free_summary_words(k.max_blocks);
  const auto page_words = [words_per_page](uint64_t words) {
    return (words + words_per_page - 1) / words_per_page * words_per_page;
  };
  FA32_EXPECT(k.free_bits_touched <= page_words(bitmap_words) &&
              k.free_summary_touched <= page_words(summary_words));
  FA32_EXPECT(k.cache[-1] == kNoBlock && k.cache[-2] == kNoBlock);  // the inline malloc's sentinels
  FA32_EXPECT(k.recip == reciprocal(k.block_size));

  // Live-size table: nothing live at or beyond bump; requested sizes fit.
  // Only the entries of blocks the pool holds now: the table spans the whole
  // reserved stride, and reading it all would fault in every page of it
  // (hundreds of MiB for a large pool_limit, on kernels without a shared
  // zero page). Entries beyond capacity are written by nothing.
  uint64_t live = 0;
  uint64_t requested = 0;
  for (uint64_t index = 0; index < k.capacity; ++index) {
    if (!k.is_live(index)) continue;
    FA32_EXPECT(index < k.bump);
    FA32_EXPECT(k.requested(index) <= k.block_size);
    ++live;
    requested += k.requested(index);
  }

  // Cache and free list: blocks handed out before, not live, listed once.
  // Each cached block is marked live while the walks run (a block cached
  // twice, or cached and on the free list, finds its mark) and cleared
  // again after, so the check needs no memory and leaves the manager as it
  // found it. The free list's bitmap cannot hold a block twice; its summary
  // must name exactly its words that are not zero, none below free_low.
  fastalloc32_status status = FASTALLOC32_OK;
  uint32_t cached = 0;
  for (; cached < k.cache_count(); ++cached) {
    const uint32_t index = k.cache[cached];
    if (index >= k.bump || k.is_live(index)) {
      status = FASTALLOC32_E_CORRUPT;
      break;
    }
    k.set_live(index, 0);
  }
  uint64_t listed = 0;
  // Only the tables' own words; the rest of their last counted page is
  // padding.
  const uint64_t bitmap_end = k.free_bits_touched < bitmap_words ? k.free_bits_touched : bitmap_words;
  const uint64_t summary_end =
      k.free_summary_touched < summary_words ? k.free_summary_touched : summary_words;
  for (uint64_t word = 0; status == FASTALLOC32_OK && word < bitmap_end; ++word) {
    const uint64_t bits = k.free_bits[word];
    const bool summarised = word / 64 < summary_end && (k.free_summary[word / 64] >> (word % 64) & 1) != 0;
    if ((bits != 0) != summarised || (bits != 0 && word / 64 < k.free_low)) {
      status = FASTALLOC32_E_CORRUPT;
      break;
    }
    for (uint64_t rest = bits; rest != 0; rest &= rest - 1) {
      const uint64_t index = word * 64 + uint64_t(__builtin_ctzll(rest));
      if (index >= k.bump || k.is_live(index)) {
        status = FASTALLOC32_E_CORRUPT;
        break;
      }
      ++listed;
    }
  }
  // Summary bits of words beyond the bitmap's counted pages name nothing.
  for (uint64_t s = 0; status == FASTALLOC32_OK && s < summary_end; ++s) {
    const uint64_t first = s * 64;
    uint64_t beyond = 0;  // its bits for words at or past bitmap_end
    if (first >= bitmap_end) {
      beyond = k.free_summary[s];
    } else if (first + 64 > bitmap_end) {
      beyond = k.free_summary[s] >> (bitmap_end - first);
    }
    if (beyond != 0) status = FASTALLOC32_E_CORRUPT;
  }
  for (uint32_t i = 0; i < cached; ++i) k.clear_live(k.cache[i]);
  if (status != FASTALLOC32_OK) return status;
  FA32_EXPECT(listed == k.free_count && k.free_count <= k.max_blocks);
  FA32_EXPECT(live + k.cache_count() + k.free_count == k.bump);

  FA32_EXPECT(k.live_blocks() == live && k.requested_live() == requested);
  const ClassCounters& kc = k.counters;
  FA32_EXPECT(k.allocs >= kc.freelist_hits + kc.fresh_blocks);
  FA32_EXPECT(kc.fresh_blocks == k.bump + kc.trimmed_blocks);
  FA32_EXPECT(k.touched_bytes == pool_counted_end(m.page_size, m.huge_page, k, k.bump));
  // The huge zone is whole huge pages inside the stride, and none without
  // them (a map hook, trim_pools, or the kernel's off).
  if (m.huge_page == 0 || k.huge_to == 0) {
    FA32_EXPECT(k.huge_from == 0 && k.huge_to == 0);
  } else {
    // The pools start on a huge page, so every zone starts one huge page
    // into its stride, wherever the reservation lies.
    FA32_EXPECT(reinterpret_cast<uintptr_t>(m.pool_base) % m.huge_page == 0);
    FA32_EXPECT(k.huge_from == kOrdinaryHugePages * m.huge_page && k.huge_from < k.huge_to &&
                k.huge_to <= size_t(m.stride_mask) + 1);
    FA32_EXPECT((k.huge_to - k.huge_from) % m.huge_page == 0 &&
                (reinterpret_cast<uintptr_t>(k.base) - k.colour + k.huge_from) % m.huge_page == 0);
  }
  // The run zone ends where the huge zone begins, or at the stride's end
  // without one; none where runs are not allowed.
  if (!may_populate_runs(m.config)) {
    FA32_EXPECT(k.runs_end_units == 0);
  } else {
    FA32_EXPECT(k.runs_end_units == run_zone_units(k.huge_to != 0 ? k.huge_from : size_t(m.stride_mask) + 1));
  }
  FA32_EXPECT(k.colour + size_t(k.max_blocks) * k.block_size <= size_t(m.stride_mask) + 1);
  if (m.track_peaks) {
    FA32_EXPECT(k.requested_peak.current() == requested &&
                k.requested_peak.headroom <= k.requested_peak.peak);
  } else {
    FA32_EXPECT(k.requested_peak.peak == 0 && k.requested_peak.headroom == 0);
  }
  *live_out = live;
  *requested_out = requested;
  return FASTALLOC32_OK;
}

}  // namespace

fastalloc32_status check_manager(const Manager& cm) noexcept {
  // The walk marks listed blocks in the live-size table for a moment (see
  // check_class); everything else is only read.
  Manager& m = const_cast<Manager&>(cm);
  const Counters c = sum_counters(m);
  const Gauges& g = m.gauges;

  // The footprint's parts, recomputed from what holds the memory.
  uint64_t parts[kFootprintParts] = {};
  auto part = [&parts](FootprintPart p) -> uint64_t& { return parts[static_cast<unsigned>(p)]; };
  uint64_t pool_live = 0, pool_requested = 0, pool_reserved = 0;
  for (uint32_t i = 0; i < m.class_count; ++i) {
    PoolClass& k = m.classes[i];
    uint64_t live = 0, requested = 0;
    const fastalloc32_status s = check_class(m, k, &live, &requested);
    if (s != FASTALLOC32_OK) return s;
    pool_live += live;
    pool_requested += requested;
    pool_reserved += live * k.block_size;
    part(FootprintPart::pools) += k.touched_bytes;
  }
  FA32_EXPECT(c.pool_allocs == c.cache_hits + c.freelist_hits + c.fresh_blocks);
  FA32_EXPECT(c.pool_allocs - c.pool_frees == pool_live);
  // The flags create derived from the config still say what it says.
  FA32_EXPECT(m.default_map == (m.config.system.map == nullptr) &&
              m.trim_pools == (m.config.trim_pools != 0));
  FA32_EXPECT(!m.populate_runs || may_populate_runs(m.config));  // a kernel refusing the advice turns it off
  FA32_EXPECT(m.huge_page == 0 || may_ask_huge_pages(m.config));

  // Pointer table: every entry reachable from its home slot, sane sizes,
  // never inside the pools.
  uint64_t entries = 0, large = 0, large_bytes = 0;
  uint64_t table_requested = 0, table_usable = 0, arena_bytes = 0;
  for (const TableEntry* e = m.table.begin(); e != m.table.end(); ++e) {
    if (e->ptr == 0) continue;
    ++entries;
    FA32_EXPECT(m.table.find(e->ptr) == e);
    FA32_EXPECT(e->ptr - reinterpret_cast<uintptr_t>(m.pool_base) >= m.pool_span);
    FA32_EXPECT(e->requested <= e->usable && e->ptr % m.config.alignment == 0);
    table_requested += e->requested;
    table_usable += e->usable;
    if (e->kind() != BlockKind::large_arena)
      part(FootprintPart::large_blocks) += e->raw_size();  // arena: its pages
    switch (e->kind()) {
      case BlockKind::large_arena:
        FA32_EXPECT(e->offset() < m.page_size && arena_owns(m, e->raw()) && e->raw_size() % m.page_size == 0);
        arena_bytes += e->raw_size();
        [[fallthrough]];
      case BlockKind::large_heap:
      case BlockKind::large_mapped:
        ++large;
        large_bytes += e->usable;
        break;
      default:
        return FASTALLOC32_E_CORRUPT;
    }
  }
  FA32_EXPECT(entries == m.table.size() && entries * 2 <= m.table.capacity());
  FA32_EXPECT(c.large_allocs - c.large_frees == large && g.large_bytes.current() == large_bytes);
  // Fallback slabs: their own invariants, and the counters agree.
  SlabTotals slabs{};
  FA32_EXPECT(slab_check(m, &slabs));
  FA32_EXPECT(c.fallback_allocs - c.fallback_frees == slabs.live &&
              g.fallback_bytes.current() == slabs.reserved);
  part(FootprintPart::fallback) = slabs.footprint;
  // The table's gauges count every block outside the pools: large and fallback.
  entries += slabs.live;
  table_requested += slabs.requested;
  table_usable += slabs.reserved;
  FA32_EXPECT(c.large_cache_hits <= c.large_allocs);

  // Large cache: each block in a bucket it can serve, within the byte bound.
  uint64_t cached = 0, cached_bytes = 0;
  for (unsigned b = 0; b < kBucketCount; ++b) {
    for (uint32_t r = m.large_cache.heads[b]; r != 0; r = m.large_cache.records[r - 1].next) {
      FA32_EXPECT(r <= m.large_cache.used && ++cached <= m.large_cache.blocks);
      const CachedBlock* n = &m.large_cache.records[r - 1];
      FA32_EXPECT(n->raw_size >= bucket_size(b) && bucket_floor(n->raw_size) == b);
      FA32_EXPECT(n->kind == BlockKind::large_heap || n->kind == BlockKind::large_mapped);
      FA32_EXPECT(n->cached_at <= c.large_allocs);  // its age, cache_trim_cold's measure
      cached_bytes += n->raw_size;
    }
  }
  FA32_EXPECT(cached == m.large_cache.blocks && cached_bytes == m.large_cache.bytes);
  FA32_EXPECT(cached_bytes <= m.config.large_cache_bytes);
  part(FootprintPart::large_cache) = cached_bytes;

  // Large arena: spans, tags and free lists agree; its live spans are the
  // table's arena blocks.
  uint64_t arena_live_pages = 0;
  FA32_EXPECT(arena_check(m, &arena_live_pages));
  FA32_EXPECT(arena_live_pages * m.page_size == arena_bytes);
  FA32_EXPECT(c.large_arena_allocs <= c.large_allocs);
  part(FootprintPart::large_arena) = (uint64_t(m.arena.committed) - m.arena.released_pages) * m.page_size;
  FA32_EXPECT(g.metadata.current() == metadata_pages(m) * m.page_size);
  part(FootprintPart::metadata) = g.metadata.current();

  // The totals agree with the parts.
  FA32_EXPECT(c.mallocs - c.frees == pool_live + entries);
  FA32_EXPECT(g.table_allocs.current() == entries);
  FA32_EXPECT(g.table_requested.current() == table_requested);
  FA32_EXPECT(g.table_reserved.current() == table_usable);
  // Each part as the gauge keeps it, and the parts at the peak add up to it.
  uint64_t footprint = 0, at_peak = 0;
  for (unsigned i = 0; i < kFootprintParts; ++i) {
    FA32_EXPECT(g.parts[i] == parts[i]);
    footprint += parts[i];
    at_peak += g.parts_at_peak[i];
  }
  FA32_EXPECT(g.footprint.current() == footprint && g.footprint.peak == at_peak);
  for (const Gauge* x : {&g.table_allocs, &g.table_requested, &g.table_reserved, &g.large_bytes,
                         &g.fallback_bytes, &g.metadata, &g.footprint}) {
    FA32_EXPECT(x->headroom <= x->peak && x->total >= x->current());
  }
  const Peaks& p = m.peaks;
  if (m.track_peaks) {
    FA32_EXPECT(p.live_allocs.current() == pool_live + entries);
    FA32_EXPECT(p.bytes_requested.current() == pool_requested + table_requested);
    FA32_EXPECT(p.bytes_reserved.current() == pool_reserved + table_usable);
    FA32_EXPECT(p.pool_blocks.current() == pool_live);
    for (const Peak* x : {&p.live_allocs, &p.bytes_requested, &p.bytes_reserved, &p.pool_blocks}) {
      FA32_EXPECT(x->headroom <= x->peak);
    }
  } else {
    for (const Peak* x : {&p.live_allocs, &p.bytes_requested, &p.bytes_reserved, &p.pool_blocks}) {
      FA32_EXPECT(x->peak == 0 && x->headroom == 0);
    }
  }
  return FASTALLOC32_OK;
}

}  // namespace fa32::core

extern "C" FASTALLOC32_API fastalloc32_status fastalloc32_check(const fastalloc32_mm* mm) {
  if (mm == nullptr) return FASTALLOC32_E_BAD_CONFIG;
  const fastalloc32_status s = fa32::core::check_manager(*mm);
  // A broken invariant is an error the manager detected: report it.
  if (s == FASTALLOC32_E_CORRUPT) fa32::core::report(const_cast<fastalloc32_mm&>(*mm), s, nullptr);
  return s;
}
