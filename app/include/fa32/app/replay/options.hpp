// How a replay runs.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace fa32::app::replay {

// How the replayer writes into the blocks it gets, as a program would.
enum class Touch {
  none,   // never writes: measures the allocator's bookkeeping alone
  first,  // a byte per 4 KiB page of the first touch_page_cap; past them, the last byte
  all,    // writes every byte (memset)
};
// --touch first writes into at most this many 4 KiB pages of a block (1 MiB),
// plus its last byte: what a program touching a block's ends and its first
// megabyte costs, and a bound however large the block. Applies to a new
// block and to the part a realloc added.
inline constexpr std::uint64_t touch_page_size = 4096;
inline constexpr std::uint64_t touch_page_cap = 256;
std::string_view touch_name(Touch t);
std::optional<Touch> touch_from_name(std::string_view name);

struct ReplayOptions {
  Touch touch = Touch::first;
  // Fill every block with a pattern derived from its id, check it on free,
  // after every realloc and at the end; check alignment and calloc zeroing.
  bool verify = false;
  // Skip and count invalid events (free of an unknown id, double free, ...)
  // instead of stopping at the first.
  bool lenient = false;
  // Record a snapshot every N events (0: none); past max_snapshots of them
  // the spacing doubles (snapshots.hpp).
  std::uint64_t snapshot_every = 0;
  // How many leaks to list (all are counted).
  std::uint64_t leak_limit = 10;
  // Expected largest id + 1, to size the id table once (0: grow on demand).
  // Taken only when in proportion to expected_events (see id_table.hpp).
  std::uint64_t id_bound = 0;
  // Events the replay will see, when known for sure (a trace decoded in
  // memory); 0: unknown. A header's promise is not enough: it may lie.
  std::uint64_t expected_events = 0;
  // Most requested bytes that may be live at once. A request that would go
  // past it (aligned_alloc: its size plus its alignment) is not made: it is
  // counted as a failed allocation (a realloc: a failed realloc) and in
  // ReplayResult::refused_by_limit. UINT64_MAX: no limit.
  std::uint64_t memory_limit = UINT64_MAX;
  // Called with the number of events replayed so far, about every 65536
  // events, outside the timed loop.
  std::function<void(std::uint64_t)> progress;
  // Sample the allocator (footprint, per-class blocks) at each new peak of
  // live bytes. A benchmark turns it off: glibc's mallinfo2 walks its bins,
  // and timing it would charge glibc for the measurement.
  bool sample_peaks = true;
  // Memory over time: at most this many evenly spaced points, plus the live
  // peak and the end (timeline.hpp). 0: none, as a benchmark wants.
  std::uint64_t timeline_points = 0;
};

}  // namespace fa32::app::replay
