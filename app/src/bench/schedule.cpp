// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/schedule.hpp"

namespace fa32::app::bench {

std::vector<Slot> interleaved_schedule(std::size_t allocators, int runs, int warmup_rounds) {
  std::vector<Slot> slots;
  for (std::size_t a = 0; a < allocators; ++a) slots.push_back({a, 0, true, true});
  for (int w = 0; w < warmup_rounds; ++w) {
    for (std::size_t a = 0; a < allocators; ++a) slots.push_back({a, w, true});
  }
  for (int r = 0; r < runs; ++r) {
    for (std::size_t a = 0; a < allocators; ++a) slots.push_back({a, r, false});
  }
  return slots;
}

}  // namespace fa32::app::bench
