// SPDX-License-Identifier: GPL-3.0-or-later
// The end of a replay: final samples, leaks, the end-of-replay checks, and
// the release of whatever is still live.
#include <algorithm>
#include <string>

#include "fa32/app/replay/engine.hpp"

namespace fa32::app::replay {

Replayer::~Replayer() {
  release_live();
}

void Replayer::release_live() {
  // After a corruption the heap may be broken: leave it to process exit
  // (fastalloc32_destroy still releases its own pools).
  if (result_.error && result_.error->kind != ErrorKind::invalid_event) return;
  ids_.for_each([this](std::uint64_t, Slot& s) {
    if ((s.born_state & 3) == slot_live) {
      alloc_.free(s.ptr);
      s = Slot{};
    }
  });
}

ReplayResult Replayer::finish() {
  if (finished_) return result_;
  finished_ = true;
  if (peak_pending_) sample_peak();
  if (options_.snapshot_every != 0 && !stopped() &&
      (snapshots_.size() == 0 || snapshots_.last_events() != result_.events)) {
    const AllocatorSample a = alloc_.sample();
    result_.footprint_peak = std::max(result_.footprint_peak, a.footprint);
    snapshots_.add_extra(result_.events, result_.live_bytes, result_.live_allocs, a);
  }
  result_.at_end = alloc_.sample();
  result_.timeline = finish_timeline();
  result_.fa32 = alloc_.final_stats();
  if (const auto exact = alloc_.exact_footprint_peak()) {
    result_.footprint_peak = *exact;
    result_.footprint_peak_exact = true;
  } else {
    result_.footprint_peak = std::max(result_.footprint_peak, result_.at_end.footprint);
  }
  result_.hashed_ids = ids_.hashed();
  result_.dense_id_slots = ids_.dense_size();

  // Leaks: every id still live, the first leak_limit by allocating event.
  std::vector<Leak> first;
  const std::uint64_t limit = options_.leak_limit;
  const auto by_event = [](const Leak& x, const Leak& y) { return x.event < y.event; };
  // Live ids whose allocator returned NULL (realloc to 0, malloc(0)): the
  // allocator holds no block for them, so its audit must not expect one.
  std::uint64_t null_live = 0;
  ids_.for_each([&](std::uint64_t id, const Slot& s) {
    if ((s.born_state & 3) != slot_live) return;
    if (s.ptr == nullptr) ++null_live;
    ++result_.leak_count;
    result_.leak_bytes += s.size;
    const Leak l{id, s.size, s.born_state >> 2};
    if (limit != 0) {
      if (first.size() < limit) {
        first.insert(std::upper_bound(first.begin(), first.end(), l, by_event), l);
      } else if (l.event < first.back().event) {
        first.pop_back();
        first.insert(std::upper_bound(first.begin(), first.end(), l, by_event), l);
      }
    }
    if (options_.verify && !stopped()) verify_block(result_.events, id, s, s.size, "at exit");
  });
  result_.leaks = std::move(first);

  if (options_.verify && !stopped()) {
    const std::string disagreement = alloc_.audit(result_.live_allocs - null_live, result_.live_bytes);
    if (!disagreement.empty())
      fail(ErrorKind::accounting, result_.events, "after the last event: " + disagreement);
  }
  result_.snapshots = snapshots_.snapshots();
  result_.snapshot_interval = snapshots_.interval();
  return result_;
}

}  // namespace fa32::app::replay
