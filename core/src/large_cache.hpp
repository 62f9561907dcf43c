// SPDX-License-Identifier: GPL-3.0-or-later
// Freed large blocks kept for reuse, by size bucket (four buckets per power
// of two, so a bucket wastes at most a quarter), bounded in total bytes.
// A hit costs no system call. The list node lives in the freed block itself.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ptr_table.hpp"
#include "util.hpp"

namespace fa32::core {

inline constexpr size_t kMinLargeRaw = 32;
inline constexpr unsigned kBucketCount = 240;

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

struct CachedBlock {
  CachedBlock* next;
  uint64_t raw_size;
  BlockKind kind;
};

struct LargeCache {
  CachedBlock* heads[kBucketCount] = {};
  uint64_t bytes = 0;
  uint64_t blocks = 0;
};

}  // namespace fa32::core
