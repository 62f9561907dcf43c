// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/schedule.hpp"

namespace fa32::app::bench {

std::vector<Slot> interleaved_schedule(std::size_t allocators, int runs, int warmup_rounds) {
  std::vector<Slot> slots;
  for (std::size_t a = 0; a < allocators; ++a) slots.push_back({a, 0, true, true});
  // Each round after the probe starts one allocator later than the round
  // before, so that no allocator always runs first (after the bench's own
  // pause between workloads) or always right after the same neighbour.
  std::size_t round = 0;
  const auto add_round = [&](int number, bool warmup) {
    for (std::size_t i = 0; i < allocators; ++i) slots.push_back({(round + i) % allocators, number, warmup});
    ++round;
  };
  for (int w = 0; w < warmup_rounds; ++w) add_round(w, true);
  for (int r = 0; r < runs; ++r) add_round(r, false);
  return slots;
}

}  // namespace fa32::app::bench
