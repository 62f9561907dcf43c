// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/id_table.hpp"

#include <algorithm>
#include <new>
#include <string>
#include <utility>

#include "fa32/traces/reader.hpp"

namespace fa32::app::replay {

void IdTable::presize(std::uint64_t id_bound, std::uint64_t expected_allocations) {
  // The bound comes from a header or from the loaded events: a hint that a
  // hostile trace can make absurd, so it is only taken within the limit.
  if (id_bound == 0 || id_bound <= dense_.size() || id_bound > dense_id_limit(expected_allocations)) return;
  grow_dense(id_bound);
}

bool IdTable::grow_dense(std::uint64_t n) {
  try {
    dense_.resize(n);
  } catch (const std::bad_alloc&) {
    return false;
  }
  if (hashed_ == 0) return true;
  // Move the hashed ids the dense table now covers, and rebuild the hash
  // without them (the hash is never erased from, so this is the only way
  // an entry leaves it). Rare: the dense table grows O(log n) times.
  MappedArray<Bucket> old = std::move(buckets_);
  buckets_ = MappedArray<Bucket>();
  hashed_ = 0;
  bucket_bits_ = 0;
  for (const Bucket& b : old) {
    if (b.key == 0) continue;
    if (b.key - 1 < dense_.size()) {
      dense_[b.key - 1] = b.slot;
    } else {
      hash_insert(b.key - 1, 0) = b.slot;
    }
  }
  return true;
}

Slot& IdTable::insert(std::uint64_t id, std::uint64_t allocations, std::uint64_t index) {
  if (id < dense_.size()) return dense_[id];
  const std::uint64_t limit = dense_id_limit(allocations);
  if (id < limit) {
    // Doubling keeps growth rare; the limit keeps the table in proportion
    // to the trace.
    const std::uint64_t want = std::max(id + 1, std::min(dense_.size() * 2, limit));
    if (grow_dense(want)) return dense_[id];
  }
  if (Slot* s = find_far(id)) return *s;
  return hash_insert(id, index);
}

std::uint64_t IdTable::home(std::uint64_t key) const {
  // Fibonacci hashing: the top bits of key * 2^64/phi spread runs of ids
  // (and ids that differ only in high bits) over the whole table.
  return (key * 0x9E3779B97F4A7C15ull) >> (64 - bucket_bits_);
}

Slot* IdTable::find_far(std::uint64_t id) const {
  if (hashed_ == 0) return nullptr;
  const std::uint64_t key = id + 1;
  const std::uint64_t mask = buckets_.size() - 1;
  for (std::uint64_t i = home(key);; i = (i + 1) & mask) {
    Bucket& b = buckets_[i];
    if (b.key == key) return &b.slot;
    if (b.key == 0) return nullptr;
  }
}

void IdTable::rehash(std::uint64_t count) {
  MappedArray<Bucket> fresh;
  fresh.resize(count);  // zero: every bucket empty
  MappedArray<Bucket> old = std::move(buckets_);
  buckets_ = std::move(fresh);
  int bits = 0;
  while ((std::uint64_t{1} << bits) < count) ++bits;
  bucket_bits_ = bits;
  const std::uint64_t mask = count - 1;
  for (const Bucket& b : old) {
    if (b.key == 0) continue;
    std::uint64_t i = home(b.key);
    while (buckets_[i].key != 0) i = (i + 1) & mask;
    buckets_[i] = b;
  }
}

Slot& IdTable::hash_insert(std::uint64_t id, std::uint64_t index) {
  // At most half full, so probe runs stay short.
  if ((hashed_ + 1) * 2 > buckets_.size()) {
    try {
      rehash(std::max<std::uint64_t>(1024, buckets_.size() * 2));
    } catch (const std::bad_alloc&) {
      throw traces::TraceError("event " + std::to_string(index) + ": id " + std::to_string(id) +
                               ": no memory left for the replayer's id table (" + std::to_string(hashed_) +
                               " sparse ids held)");
    }
  }
  const std::uint64_t key = id + 1;
  const std::uint64_t mask = buckets_.size() - 1;
  std::uint64_t i = home(key);
  while (buckets_[i].key != 0 && buckets_[i].key != key) i = (i + 1) & mask;
  Bucket& b = buckets_[i];
  if (b.key == 0) {
    b.key = key;
    ++hashed_;
  }
  return b.slot;
}

}  // namespace fa32::app::replay
