// SPDX-License-Identifier: GPL-3.0-or-later
// Stats out of the manager (filled from the same X-macro lists that
// declare them) and the walk over live allocations.
#include "manager.hpp"

using namespace fa32::core;

namespace {

fastalloc32_gauge out_gauge(const Gauge& g) noexcept {
  return fastalloc32_gauge{g.current(), g.peak, g.total};
}

// The pool's share of the public gauges, from the class counters.
struct PoolSums {
  uint64_t live = 0, allocs = 0;
  uint64_t requested = 0, requested_total = 0;
  uint64_t reserved = 0, reserved_total = 0;
};

PoolSums pool_sums(const Manager& m) noexcept {
  PoolSums s;
  for (uint32_t c = 0; c < m.class_count; ++c) {
    const PoolClass& k = m.classes[c];
    s.live += k.live_blocks();
    s.allocs += k.allocs;
    s.requested += k.requested_live();
    s.requested_total += k.requested_in;
    s.reserved += k.live_blocks() * k.block_size;
    s.reserved_total += k.allocs * k.block_size;
  }
  return s;
}

}  // namespace

namespace fa32::core {

Counters sum_counters(const Manager& m) noexcept {
  Counters sum = m.counters;
  for (uint32_t c = 0; c < m.class_count; ++c) {
    const PoolClass& k = m.classes[c];
    sum.freelist_hits += k.counters.freelist_hits;
    sum.fresh_blocks += k.counters.fresh_blocks;
    sum.fallback_allocs += k.counters.fallback_allocs;
    // What the fast paths do not count separately: every pool hand-out is a
    // cache hit, a free-list hit or a fresh block.
    sum.pool_allocs += k.allocs;
    sum.pool_frees += k.frees();
    sum.cache_hits += k.allocs - k.counters.freelist_hits - k.counters.fresh_blocks;
  }
  // Every hand-out is a malloc/calloc/aligned_alloc call, or realloc moving
  // a block (which also takes the old one back).
  sum.mallocs = sum.pool_allocs + sum.large_allocs + sum.fallback_allocs - m.realloc_moves;
  sum.frees = sum.pool_frees + sum.large_frees + sum.fallback_frees - m.realloc_moves;
  return sum;
}

}  // namespace fa32::core

extern "C" {

FASTALLOC32_API fastalloc32_status fastalloc32_get_stats(const fastalloc32_mm* mm, fastalloc32_stats* out) {
  if (mm == nullptr || out == nullptr || out->size != sizeof(fastalloc32_stats)) {
    return FASTALLOC32_E_BAD_CONFIG;
  }
  out->version = FASTALLOC32_STATS_VERSION;
  out->peaks_tracked = mm->track_peaks ? 1 : 0;
  out->reserved0 = 0;
  const Counters counters = sum_counters(*mm);
#define FA32_COPY_COUNTER(name, desc) out->name = counters.name;
  FASTALLOC32_COUNTERS(FA32_COPY_COUNTER)
#undef FA32_COPY_COUNTER
  const Gauges& g = mm->gauges;
  const Peaks& peaks = mm->peaks;  // all zero without track_peaks
  const PoolSums pool = pool_sums(*mm);
  out->live_allocs = {pool.live + g.table_allocs.current(), peaks.live_allocs.peak,
                      pool.allocs + g.table_allocs.total};
  out->bytes_requested = {pool.requested + g.table_requested.current(), peaks.bytes_requested.peak,
                          pool.requested_total + g.table_requested.total};
  out->bytes_reserved = {pool.reserved + g.table_reserved.current(), peaks.bytes_reserved.peak,
                         pool.reserved_total + g.table_reserved.total};
  out->pool_blocks = {pool.live, peaks.pool_blocks.peak, pool.allocs};
  out->large_bytes = out_gauge(g.large_bytes);
  out->fallback_bytes = out_gauge(g.fallback_bytes);
  out->metadata = out_gauge(g.metadata);
  out->footprint = out_gauge(g.footprint);
#define FA32_COPY_PART(name, desc)                                               \
  out->footprint_now.name = g.parts[static_cast<unsigned>(FootprintPart::name)]; \
  out->footprint_at_peak.name = g.parts_at_peak[static_cast<unsigned>(FootprintPart::name)];
  FASTALLOC32_FOOTPRINT_PARTS(FA32_COPY_PART)
#undef FA32_COPY_PART
  return FASTALLOC32_OK;
}

FASTALLOC32_API uint32_t fastalloc32_class_count(const fastalloc32_mm* mm) {
  return mm == nullptr ? 0 : mm->class_count;
}

FASTALLOC32_API fastalloc32_status fastalloc32_get_class_stats(const fastalloc32_mm* mm, uint32_t index,
                                                               fastalloc32_class_stats* out) {
  if (mm == nullptr || out == nullptr || index >= mm->class_count) return FASTALLOC32_E_BAD_CONFIG;
  const PoolClass& k = mm->classes[index];
  out->block_size = k.block_size;
  out->capacity_blocks = k.capacity;
  out->allocs = k.allocs;
  out->frees = k.frees();
  out->cache_hits = k.allocs - k.counters.freelist_hits - k.counters.fresh_blocks;
  out->freelist_hits = k.counters.freelist_hits;
  out->fresh_blocks = k.counters.fresh_blocks;
  out->fallback_allocs = k.counters.fallback_allocs;
  // A fresh block is taken only when no freed one is left, so the most
  // blocks ever in use at once is bump's highest: exact, free.
  out->blocks_in_use = {k.live_blocks(), k.bump_peak, k.allocs};
  out->bytes_requested = {k.requested_live(), k.requested_peak.peak, k.requested_in};
  out->cached_blocks = k.cache_count();
  out->touched_bytes = uint64_t(k.bump) * k.block_size;
  return FASTALLOC32_OK;
}

FASTALLOC32_API void fastalloc32_for_each_live(const fastalloc32_mm* mm, fastalloc32_live_fn fn, void* user) {
  if (mm == nullptr || fn == nullptr) return;
  for (uint32_t c = 0; c < mm->class_count; ++c) {
    const PoolClass& k = mm->classes[c];
    for (uint32_t index = 0; index < k.bump; ++index) {
      if (!k.is_live(index)) continue;
      if (fn(k.block(index), k.requested(index), k.block_size, FASTALLOC32_KIND_POOL, user) != 0) return;
    }
  }
  for (uint32_t n = 0; n < mm->slabs.count; ++n) {
    const FallbackSlab* s = mm->slabs.sorted[n];
    for (uint32_t i = 0; i < s->bump; ++i) {
      if (!s->is_live(i)) continue;
      if (fn(s->block(i), s->state[i], s->block_size, FASTALLOC32_KIND_FALLBACK, user) != 0) return;
    }
  }
  for (const TableEntry* e = mm->table.begin(); e != mm->table.end(); ++e) {
    if (e->ptr == 0) continue;
    if (fn(reinterpret_cast<void*>(e->ptr), e->requested, e->usable, FASTALLOC32_KIND_LARGE, user) != 0)
      return;
  }
}

}  // extern "C"
