// The replayer's id -> block table. Ordinary traces have dense, recycled
// ids (docs/trace-format.md), so a plain array indexed by id is the fast
// path. A trace may still carry sparse or huge ids (4,000,000,000 for its
// only block): those go to a hash table, so memory and time follow the
// number of events, never the largest id. Both live in anonymous mappings,
// outside the allocator under test.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

#include "fa32/app/replay/mapped_array.hpp"

namespace fa32::app::replay {

// One id's state. 24 bytes.
struct Slot {
  void* ptr = nullptr;
  std::uint64_t size = 0;
  std::uint64_t born_state = 0;  // (index of the allocating event << 2) | SlotState
};
enum SlotState : std::uint64_t { slot_unused = 0, slot_live = 1, slot_freed = 2, slot_failed = 3 };

// Ids below dense_id_floor always go to the dense table. Above it, the dense
// table holds at most dense_id_density slots per allocation seen so far (or
// expected, when the whole trace is known), and ids beyond go to the hash.
inline constexpr std::uint64_t dense_id_floor = std::uint64_t{1} << 16;
inline constexpr std::uint64_t dense_id_density = 4;

// The most slots the dense table may have after `allocations` allocations.
constexpr std::uint64_t dense_id_limit(std::uint64_t allocations) {
  const std::uint64_t scaled =
      allocations > UINT64_MAX / dense_id_density ? UINT64_MAX : allocations * dense_id_density;
  return scaled > dense_id_floor ? scaled : dense_id_floor;
}

// True when a trace whose largest id is max_id, with `allocations`
// allocation events, would have ids in the hash table: what `fa32
// validate` warns about.
constexpr bool ids_are_sparse(std::uint64_t max_id, std::uint64_t allocations) {
  return max_id >= dense_id_limit(allocations);
}

class IdTable {
 public:
  // Sizes the dense table for ids below id_bound at once, when that is
  // within dense_id_limit(expected_allocations); otherwise it grows on demand.
  void presize(std::uint64_t id_bound, std::uint64_t expected_allocations);

  Slot* dense() const { return dense_.data(); }
  std::uint64_t dense_size() const { return dense_.size(); }

  // The slot of an id being allocated, created if new. allocations: the
  // allocation events seen so far, this one included. May grow the dense
  // table (dense() and dense_size() change). Throws traces::TraceError
  // (naming event index) when no memory is left for the tables.
  Slot& insert(std::uint64_t id, std::uint64_t allocations, std::uint64_t index);
  // The slot of an id at or beyond dense_size(), or nullptr if never seen.
  Slot* find_far(std::uint64_t id) const;
  Slot* find(std::uint64_t id) const { return id < dense_.size() ? &dense_[id] : find_far(id); }
  // find_far, or else a slot that reads as never used and must not be
  // written: the hot loop's free and realloc test one state, no pointer.
  Slot* find_far_or_unused(std::uint64_t id) const {
    Slot* s = find_far(id);
    return s != nullptr ? s : &unused_;
  }

  // Ids kept in the hash table.
  std::uint64_t hashed() const { return hashed_; }

  // f(id, slot) for every slot of the dense table (used or not) and every
  // id in the hash table.
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t id = 0; id < dense_.size(); ++id) f(id, dense_[id]);
    for (std::uint64_t i = 0; i < buckets_.size(); ++i) {
      if (buckets_[i].key != 0) f(buckets_[i].key - 1, buckets_[i].slot);
    }
  }

 private:
  struct Bucket {
    std::uint64_t key = 0;  // id + 1; 0: empty
    Slot slot;
  };
  // Grows the dense table to at least n slots and moves the hashed ids it
  // now covers into it. False (nothing changed) when it cannot be mapped.
  bool grow_dense(std::uint64_t n);
  Slot& hash_insert(std::uint64_t id, std::uint64_t index);
  void rehash(std::uint64_t buckets);  // throws std::bad_alloc
  std::uint64_t home(std::uint64_t key) const;

  MappedArray<Slot> dense_;
  MappedArray<Bucket> buckets_;  // open addressing, linear probing; never erased from
  std::uint64_t hashed_ = 0;
  int bucket_bits_ = 0;
  mutable Slot unused_;  // always zero: slot_unused
};

}  // namespace fa32::app::replay
