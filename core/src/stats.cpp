// SPDX-License-Identifier: GPL-3.0-or-later
// Stats out of the manager (filled from the same X-macro lists that
// declare them) and the walk over live allocations.
#include "manager.hpp"

using namespace fa32::core;

namespace {

fastalloc32_gauge out_gauge(const Gauge& g) noexcept {
  return fastalloc32_gauge{g.current(), g.peak, g.total};
}

}  // namespace

namespace fa32::core {

Counters sum_counters(const Manager& m) noexcept {
  Counters sum = m.counters;
  for (uint32_t c = 0; c < m.class_count; ++c) {
    const Counters& k = m.classes[c].counters;
#define FA32_ADD_COUNTER(name, desc) sum.name += k.name;
    FASTALLOC32_COUNTERS(FA32_ADD_COUNTER)
#undef FA32_ADD_COUNTER
  }
  return sum;
}

}  // namespace fa32::core

extern "C" {

FASTALLOC32_API fastalloc32_status fastalloc32_get_stats(const fastalloc32_mm* mm, fastalloc32_stats* out) {
  if (mm == nullptr || out == nullptr || out->size != sizeof(fastalloc32_stats)) {
    return FASTALLOC32_E_BAD_CONFIG;
  }
  out->version = FASTALLOC32_STATS_VERSION;
  const Counters counters = sum_counters(*mm);
#define FA32_COPY_COUNTER(name, desc) out->name = counters.name;
  FASTALLOC32_COUNTERS(FA32_COPY_COUNTER)
#undef FA32_COPY_COUNTER
#define FA32_COPY_GAUGE(name, desc) out->name = out_gauge(mm->gauges.name);
  FASTALLOC32_GAUGES(FA32_COPY_GAUGE)
#undef FA32_COPY_GAUGE
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
  out->allocs = k.counters.pool_allocs;
  out->frees = k.counters.pool_frees;
  out->cache_hits = k.counters.cache_hits;
  out->freelist_hits = k.counters.freelist_hits;
  out->fresh_blocks = k.counters.fresh_blocks;
  out->fallback_allocs = k.counters.fallback_allocs;
  out->blocks_in_use = out_gauge(k.blocks_in_use);
  out->bytes_requested = out_gauge(k.bytes_requested);
  out->cached_blocks = k.cache_count;
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
  for (const TableEntry* e = mm->table.begin(); e != mm->table.end(); ++e) {
    if (e->ptr == 0) continue;
    const fastalloc32_kind kind =
        e->kind() == BlockKind::fallback ? FASTALLOC32_KIND_FALLBACK : FASTALLOC32_KIND_LARGE;
    if (fn(reinterpret_cast<void*>(e->ptr), e->requested, e->usable, kind, user) != 0) return;
  }
}

}  // extern "C"
