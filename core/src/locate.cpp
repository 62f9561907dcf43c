// SPDX-License-Identifier: GPL-3.0-or-later
// Which block a pointer is, decided without reading anything at the
// pointer: pool range and live-size table first, then the fallback slabs,
// then the pointer table.
#include "pool_ops.hpp"

namespace fa32::core {

namespace {

// Among the last large pointers given up (Manager::freed). Asked only once
// the pointer is no live block's start: memory of a freed large block may
// since lie inside a new large block (at another colour) or a fallback slab,
// where the pointer would read as interior or invalid, while what the
// caller did is free the same pointer twice.
bool recently_freed(const Manager& m, uintptr_t addr) noexcept {
  if (addr == 0) return false;
  for (uintptr_t f : m.freed) {
    if (f == addr) return true;
  }
  return false;
}

}  // namespace

Location locate(const Manager& m, const void* p) noexcept {
  const uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  const uint64_t off = addr - reinterpret_cast<uintptr_t>(m.pool_base);
  if (off < m.pool_span) {
    // decode_pool_pointer only reads the manager.
    bool at_start = false;
    const PoolPointer pp = decode_pool_pointer(const_cast<Manager&>(m), off, p, &at_start);
    const auto cls = static_cast<uint32_t>(pp.k - m.classes);
    if (pp.index >= pp.k->bump) return {Where::invalid, cls, 0, nullptr};
    const auto idx = static_cast<uint32_t>(pp.index);
    if (!at_start) return {Where::interior, cls, idx, nullptr};
    if (pp.state() == 0) return {Where::double_free, cls, idx, nullptr};
    return {Where::pool, cls, idx, nullptr};
  }
  if (FallbackSlab* s = find_slab(m.slabs, addr)) {
    // The slab's reciprocal, as for a pool block: no division. (cls means
    // nothing for a slab's block: a kind may serve several classes.)
    bool at_start = false;
    const auto idx =
        static_cast<uint32_t>(s->index_of(addr - reinterpret_cast<uintptr_t>(s->base), &at_start));
    if (idx < s->bump && at_start && s->is_live(idx)) return {Where::fallback, 0, idx, nullptr, s};
    if (recently_freed(m, addr)) return {Where::double_free, 0, 0, nullptr};
    if (idx >= s->bump) return {Where::invalid, 0, 0, nullptr};
    if (!at_start) return {Where::interior, 0, idx, nullptr};
    return {Where::double_free, 0, idx, nullptr};
  }
  if (TableEntry* e = m.table.find(addr)) return {Where::large, 0, 0, e};
  if (recently_freed(m, addr)) return {Where::double_free, 0, 0, nullptr};
  // Unknown: an error path, so a scan is affordable.
  for (TableEntry* e = m.table.begin(); e != m.table.end(); ++e) {
    if (e->ptr == 0) continue;
    const uintptr_t raw = reinterpret_cast<uintptr_t>(e->raw());
    if (addr >= raw && addr < e->ptr + e->usable) return {Where::interior, 0, 0, nullptr};
  }
  return {Where::invalid, 0, 0, nullptr};
}

void report_bad_pointer(Manager& m, const Location& loc, const void* p) noexcept {
  switch (loc.where) {
    case Where::double_free:
      m.counters.double_frees++;
      report(m, FASTALLOC32_E_DOUBLE_FREE, p);
      return;
    case Where::interior:
      m.counters.interior_frees++;
      report(m, FASTALLOC32_E_INTERIOR_POINTER, p);
      return;
    default:
      m.counters.invalid_frees++;
      report(m, FASTALLOC32_E_INVALID_FREE, p);
      return;
  }
}

}  // namespace fa32::core
