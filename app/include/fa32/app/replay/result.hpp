// What one replay measured: a plain struct, no behaviour. The report is
// built from it; a benchmark reads it directly.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/replay/allocator.hpp"
#include "fa32/app/replay/timeline.hpp"
#include "fa32/traces/event.hpp"

namespace fa32::app::replay {

// Events the trace should not contain. Exit 2 unless --lenient.
struct InvalidCounts {
  std::uint64_t unknown_id = 0;     // free/realloc of an id never allocated
  std::uint64_t double_free = 0;    // free/realloc of an id already freed
  std::uint64_t id_in_use = 0;      // allocation of an id that is still live
  std::uint64_t bad_alignment = 0;  // aligned_alloc with an alignment that is not a power of two
  std::uint64_t total() const { return unknown_id + double_free + id_in_use + bad_alignment; }
};

enum class ErrorKind {
  invalid_event,    // the trace is wrong (exit 2)
  corruption,       // --verify: a block's pattern changed (overlap or stray write) (exit 1)
  misaligned,       // --verify: a pointer below the promised alignment (exit 1)
  calloc_not_zero,  // --verify: calloc returned memory that is not zero (exit 1)
  accounting,       // --verify: the allocator's own counters disagree with the replay (exit 1)
};

struct ReplayError {
  ErrorKind kind = ErrorKind::invalid_event;
  std::uint64_t event = 0;  // index of the event (0-based); the event count for end-of-replay checks
  std::string message;
};

struct Leak {
  std::uint64_t id = 0;
  std::uint64_t size = 0;
  std::uint64_t event = 0;  // index of the event that made the block
};

struct Snapshot {
  std::uint64_t events = 0;  // events replayed when it was taken
  std::uint64_t live_bytes = 0;
  std::uint64_t live_allocs = 0;
  std::uint64_t footprint = 0;  // the allocator's, as AllocatorSample
  std::uint64_t reserved = 0;
  std::vector<std::uint64_t> class_blocks;  // pool blocks in use, one per class of the allocator
};

// Requested sizes by power of two: bin b counts sizes s with
// 2^(b-1) < s <= 2^b (bin 0: s <= 1).
inline constexpr int size_bins = 65;

struct ReplayResult {
  std::uint64_t events = 0;  // events replayed (all of them unless an error stopped the replay)
  std::array<std::uint64_t, traces::op_count> op_counts{};
  InvalidCounts invalid;  // skipped under --lenient
  std::optional<ReplayError> error;

  std::uint64_t failed_allocs = 0;       // the allocator returned NULL for an allocation of size > 0,
                                         // or the memory limit refused it
  std::uint64_t failed_reallocs = 0;     // ... for a realloc (the block stayed where it was)
  std::uint64_t refused_by_limit = 0;    // allocations and reallocs the memory limit refused (not made)
  std::string first_refusal;             // the first of them, described, for the one warning
  std::uint64_t skipped_after_fail = 0;  // free/realloc of an id whose allocation had failed
  std::uint64_t realloc_in_place = 0;    // realloc returned the same pointer
  std::uint64_t realloc_moved = 0;       // realloc returned another pointer
  std::uint64_t realloc_to_zero = 0;     // realloc to size 0 (the id stays live, 0 bytes)
  std::uint64_t temporary_allocs = 0;    // freed by the very next event

  std::uint64_t live_bytes = 0;  // at the end
  std::uint64_t live_allocs = 0;
  std::uint64_t peak_live_bytes = 0;
  std::uint64_t peak_live_bytes_event = 0;  // index of the event that reached it
  std::uint64_t peak_live_allocs = 0;
  AllocatorSample at_peak_live;  // allocator sampled right after the peak of live bytes
  AllocatorSample at_end;
  std::uint64_t footprint_peak = 0;  // fastalloc32: its gauge's peak; system: the largest sample
  bool footprint_peak_exact = false;

  std::array<std::uint64_t, size_bins> size_histogram{};
  // Lifetimes of freed blocks in events (free index - allocation index),
  // binned like size_histogram.
  std::array<std::uint64_t, size_bins> lifetime_histogram{};
  // Memory over time (ReplayOptions::timeline_points; empty when 0).
  std::vector<TimelinePoint> timeline;

  std::uint64_t leak_count = 0;
  std::uint64_t leak_bytes = 0;
  std::vector<Leak> leaks;  // the first leak_limit, by the event that made them

  std::uint64_t touched_bytes = 0;   // bytes the replayer wrote into blocks (--touch, --verify's pattern)
  std::uint64_t touch_capped = 0;    // blocks (or realloc growths) --touch first wrote only in part
  std::uint64_t hashed_ids = 0;      // ids too sparse for the dense id table, kept in its hash
  std::uint64_t dense_id_slots = 0;  // size of the dense id table at the end

  // --snapshot-every: evenly spaced, at every multiple of snapshot_interval,
  // plus one after the last event (snapshots.hpp).
  std::vector<Snapshot> snapshots;
  // The spacing kept: ReplayOptions::snapshot_every, doubled each time
  // max_snapshots were held (0: no snapshots asked for).
  std::uint64_t snapshot_interval = 0;
  std::optional<Fa32Final> fa32;  // fastalloc32's own counters

  std::uint64_t replay_ns = 0;      // wall time inside the replay loop (allocator calls + bookkeeping)
  std::uint64_t replay_cpu_ns = 0;  // CPU time of the replaying thread over the same spans
  double events_per_second() const { return replay_ns == 0 ? 0.0 : double(events) * 1e9 / double(replay_ns); }
  double ns_per_event() const { return events == 0 ? 0.0 : double(replay_ns) / double(events); }
};

}  // namespace fa32::app::replay
