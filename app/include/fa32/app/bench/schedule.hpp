// The order in which benchmark runs happen. Runs of different allocators are
// interleaved, a round of each at a time, so slow drift on a shared machine
// (another build starting, the CPU clocking down) hits every allocator alike
// instead of whichever happened to run last; and the order rotates from round
// to round (A B C, B C A, C A B, ...), so no allocator keeps one place in it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <vector>

namespace fa32::app::bench {

struct Slot {
  std::size_t allocator = 0;  // index into the allocator list
  int run = 0;                // 0-based run number; warm-up runs count separately
  bool warmup = false;        // timing is discarded (a probe is a warm-up too)
  bool probe = false;         // the untimed probe: footprint and checks, no timing
};

// One probe round in allocator order, then warmup_rounds rounds of every
// allocator once, then runs rounds of every allocator once, the k-th round
// after the probe starting at allocator k mod allocators. The
// probe has a round of its own so that no timed replay runs in a process
// whose malloc a probe has already warmed.
std::vector<Slot> interleaved_schedule(std::size_t allocators, int runs, int warmup_rounds);

}  // namespace fa32::app::bench
