// SPDX-License-Identifier: GPL-3.0-or-later
// Freed large blocks kept for reuse, by size bucket (four buckets per power
// of two, so a bucket wastes at most a quarter), bounded in total bytes.
// A hit costs no system call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ptr_table.hpp"
#include "util.hpp"

namespace fa32::core {

inline constexpr size_t kMinLargeRaw = 32;
inline constexpr unsigned kBucketCount = 240;
// Sizes above this skip the bucket arithmetic (and any cache) entirely.
inline constexpr size_t kMaxBucketed = size_t(1) << 62;

// Bucket b holds blocks of at least bucket_size(b) bytes.
inline size_t bucket_size(unsigned b) noexcept {
  const unsigned e = b / 4 + 5;
  return (size_t(1) << e) + size_t(b % 4) * (size_t(1) << (e - 2));
}
// Smallest bucket whose size is >= s (s >= kMinLargeRaw, s <= 2^63).
inline unsigned bucket_ceil(size_t s) noexcept {
  if (s <= kMinLargeRaw) return 0;
  const size_t v = s - 1;
  const unsigned e = log2_floor(v);
  const unsigned sub = static_cast<unsigned>((v - (size_t(1) << e)) >> (e - 2));
  return (e - 5) * 4 + sub + 1;
}
// Largest bucket whose size is <= s (s >= kMinLargeRaw).
inline unsigned bucket_floor(size_t s) noexcept {
  const unsigned e = log2_floor(s);
  const unsigned sub = static_cast<unsigned>((s - (size_t(1) << e)) >> (e - 2));
  return (e - 5) * 4 + sub;
}

// One cached block. The records live in their own mapping, never in the
// freed blocks: a write after free into a cached block cannot redirect the
// cache (the original's kind of list node in the block could).
struct CachedBlock {
  char* raw;
  uint64_t raw_size;
  uint64_t cached_at;  // the manager's large allocations when it was cached
  BlockKind kind;
  uint32_t next;  // record index + 1 of the next in the bucket (0: none)
};

// A cached block that this many large allocations have passed by is given
// back at the next moment the footprint would set a new peak.
inline constexpr uint64_t kCacheColdAllocs = 1024;

// Buckets are stacks of record indices + 1 (0: empty; a zeroed manager is an
// empty cache). Unused records form a stack through `next` as well.
struct LargeCache {
  uint32_t heads[kBucketCount] = {};
  CachedBlock* records = nullptr;  // mapped, grown by doubling
  uint32_t capacity = 0;
  uint32_t used = 0;         // records [0, used) have been handed out at least once
  uint32_t free_record = 0;  // index + 1
  uint64_t bytes = 0;
  uint64_t blocks = 0;
  uint64_t trim_peak = 0;  // the footprint peak at the last cache_trim_cold
};

}  // namespace fa32::core

struct fastalloc32_mm;

namespace fa32::core {

using Manager = ::fastalloc32_mm;

// A cached block for a raw request of raw_req bytes (removed from the
// cache), or false.
bool cache_take(Manager& m, size_t raw_req, CachedBlock* out) noexcept;
// Keeps a freed large block for reuse while the cache has room (and a
// record can be had), else gives it back to the system.
void cache_put(Manager& m, BlockKind kind, char* raw, size_t raw_size) noexcept;
// Gives back the cached blocks that kCacheColdAllocs large allocations
// have passed by; returns their bytes.
uint64_t cache_trim_cold(Manager& m) noexcept;
// Gives back every cached block (counted in large_cache_trims), the records
// kept; returns their bytes. For a system that has refused memory.
uint64_t cache_trim_all(Manager& m) noexcept;
// Gives every cached block and the records back, at destroy.
void cache_release_all(Manager& m) noexcept;

}  // namespace fa32::core
