// --snapshot-every N, in bounded memory: the store keeps at most
// max_snapshots snapshots at every multiple of an interval that starts at N.
// When a snapshot is due and the store is full, it drops every other one and
// doubles the interval, as the timeline does (even_spacing.hpp): the snapshots
// stay evenly spaced whatever N and the trace length, and a replay that asks
// for a snapshot after every event of a long trace costs a few MiB, not
// 1.7 KiB per event (300 000 events took 527 MB, 3 million ran out of
// memory). Each snapshot keeps the pool blocks of the allocator's classes
// only, not all FASTALLOC32_MAX_CLASSES. Both arrays live in their own
// mappings, outside the allocator under test.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fa32/app/replay/allocator.hpp"
#include "fa32/app/replay/mapped_array.hpp"
#include "fa32/app/replay/result.hpp"

namespace fa32::app::replay {

// Even, so that thinning a full store keeps the snapshot that filled it.
inline constexpr std::size_t max_snapshots = 2048;

class SnapshotStore {
 public:
  // every 0: no snapshots (next() stays UINT64_MAX). capacity: at least 2
  // and even (tests use small ones).
  void start(std::uint64_t every, std::size_t capacity = max_snapshots);
  // The event count at which the next snapshot is due.
  std::uint64_t next() const { return next_; }
  // The spacing of the snapshots kept: the N asked for, doubled each time
  // the store filled up.
  std::uint64_t interval() const { return interval_; }
  std::size_t size() const { return heads_.size(); }
  std::uint64_t last_events() const { return heads_.empty() ? 0 : heads_[heads_.size() - 1].events; }

  // The snapshot due at next() (events == next()); from a sample, never
  // through malloc, which may be the allocator under test. When the store is
  // full it is thinned first, and this one is kept only if it falls on the
  // new interval.
  void add(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
           const AllocatorSample& a);
  // One more snapshot past the last (the end of the replay), off the
  // interval and not counted against the capacity.
  void add_extra(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
                 const AllocatorSample& a);
  // The snapshots kept, in event order (after the replay: this allocates).
  std::vector<Snapshot> snapshots() const;

 private:
  struct Head {
    std::uint64_t events;
    std::uint64_t live_bytes;
    std::uint64_t live_allocs;
    std::uint64_t footprint;
    std::uint64_t reserved;
  };
  void push(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
            const AllocatorSample& a);

  MappedArray<Head> heads_;
  // classes_ values per snapshot, in the order of heads_.
  MappedArray<std::uint64_t> class_blocks_;
  std::uint32_t classes_ = 0;
  bool classes_known_ = false;
  std::size_t capacity_ = max_snapshots;
  std::uint64_t interval_ = 0;
  std::uint64_t next_ = UINT64_MAX;
};

}  // namespace fa32::app::replay
