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
  first,  // writes the first byte of the block and one byte in every further 4 KiB page
  all,    // writes every byte (memset)
};
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
  // Record a snapshot every N events (0: none).
  std::uint64_t snapshot_every = 0;
  // How many leaks to list (all are counted).
  std::uint64_t leak_limit = 10;
  // Expected largest id + 1, to size the id table once (0: grow on demand).
  std::uint64_t id_bound = 0;
  // Called with the number of events replayed so far, about every 65536
  // events, outside the timed loop.
  std::function<void(std::uint64_t)> progress;
  // Sample the allocator (footprint, per-class blocks) at each new peak of
  // live bytes. A benchmark turns it off: glibc's mallinfo2 walks its bins,
  // and timing it would charge glibc for the measurement.
  bool sample_peaks = true;
};

}  // namespace fa32::app::replay
