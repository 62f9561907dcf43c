// SPDX-License-Identifier: GPL-3.0-or-later
// The large cache (see large_cache.hpp): bucket stacks of records kept in a
// mapping of their own, grown by doubling when every record is in use.
#include <cstring>

#include "manager.hpp"

namespace fa32::core {

namespace {

constexpr uint32_t kFirstRecords = 64;

// A free record's index, or UINT32_MAX when none can be had.
uint32_t new_record(Manager& m) noexcept {
  LargeCache& lc = m.large_cache;
  if (lc.free_record != 0) {
    const uint32_t r = lc.free_record - 1;
    lc.free_record = lc.records[r].next;
    return r;
  }
  if (lc.used == lc.capacity) {
    const uint32_t capacity = lc.capacity == 0 ? kFirstRecords : lc.capacity * 2;
    if (capacity < lc.capacity) return UINT32_MAX;
    auto* grown = static_cast<CachedBlock*>(sys_map(m, size_t(capacity) * sizeof(CachedBlock)));
    if (grown == nullptr) return UINT32_MAX;
    if (lc.records != nullptr) {
      std::memcpy(grown, lc.records, size_t(lc.capacity) * sizeof(CachedBlock));
      sys_unmap(m, lc.records, size_t(lc.capacity) * sizeof(CachedBlock));
    }
    lc.records = grown;
    lc.capacity = capacity;
  }
  return lc.used++;
}

// Takes the record *link names out of its bucket (link: the bucket's head
// or the previous record's next) onto the free records, and returns a copy.
CachedBlock unlink_record(LargeCache& lc, uint32_t* link) noexcept {
  const uint32_t r = *link - 1;
  const CachedBlock n = lc.records[r];
  *link = n.next;
  lc.records[r].next = lc.free_record;
  lc.free_record = r + 1;
  lc.bytes -= n.raw_size;
  lc.blocks--;
  return n;
}

}  // namespace

bool cache_take(Manager& m, size_t raw_req, CachedBlock* out) noexcept {
  if (raw_req > kMaxBucketed) return false;
  LargeCache& lc = m.large_cache;
  const unsigned b = bucket_ceil(raw_req);
  if (lc.heads[b] == 0) return false;
  *out = unlink_record(lc, &lc.heads[b]);
  footprint_move(m.gauges, FootprintPart::large_cache, FootprintPart::large_blocks, out->raw_size);
  return true;
}

void cache_put(Manager& m, BlockKind kind, char* raw, size_t raw_size) noexcept {
  LargeCache& lc = m.large_cache;
  if (raw_size <= kMaxBucketed && raw_size <= m.config.large_cache_bytes &&
      lc.bytes <= m.config.large_cache_bytes - raw_size) {
    const uint32_t r = new_record(m);
    if (r != UINT32_MAX) {
      const unsigned b = bucket_floor(raw_size);
      lc.records[r] = CachedBlock{raw, raw_size, m.counters.large_allocs, kind, lc.heads[b]};
      lc.heads[b] = r + 1;
      lc.bytes += raw_size;
      lc.blocks++;
      footprint_move(m.gauges, FootprintPart::large_blocks, FootprintPart::large_cache, raw_size);
      return;
    }
  }
  release_raw(m, kind, raw, raw_size, FootprintPart::large_blocks);
}

namespace {

// Gives back the cached blocks at least min_age large allocations old.
uint64_t trim_older_than(Manager& m, uint64_t min_age) noexcept {
  LargeCache& lc = m.large_cache;
  uint64_t released = 0;
  for (uint32_t& head : lc.heads) {
    uint32_t* link = &head;
    while (*link != 0) {
      CachedBlock& rec = lc.records[*link - 1];
      if (m.counters.large_allocs - rec.cached_at < min_age) {
        link = &rec.next;
        continue;
      }
      const CachedBlock n = unlink_record(lc, link);
      released += n.raw_size;
      m.counters.large_cache_trims++;
      release_raw(m, n.kind, n.raw, n.raw_size, FootprintPart::large_cache);
    }
  }
  return released;
}

}  // namespace

uint64_t cache_trim_cold(Manager& m) noexcept {
  return trim_older_than(m, kCacheColdAllocs);
}

uint64_t cache_trim_all(Manager& m) noexcept {
  return trim_older_than(m, 0);
}

void cache_release_all(Manager& m) noexcept {
  LargeCache& lc = m.large_cache;
  for (uint32_t& head : lc.heads) {
    while (head != 0) {
      const CachedBlock& n = lc.records[head - 1];
      head = n.next;
      release_raw(m, n.kind, n.raw, n.raw_size, FootprintPart::large_cache);
    }
  }
  if (lc.records != nullptr) sys_unmap(m, lc.records, size_t(lc.capacity) * sizeof(CachedBlock));
  lc = LargeCache{};
}

}  // namespace fa32::core
