// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/snapshots.hpp"

#include <algorithm>

namespace fa32::app::replay {

void SnapshotStore::start(std::uint64_t every, std::size_t capacity) {
  heads_.clear();
  class_blocks_.clear();
  classes_known_ = false;
  classes_ = 0;
  capacity_ = std::max<std::size_t>(2, capacity & ~std::size_t{1});
  interval_ = every;
  next_ = every == 0 ? UINT64_MAX : every;
}

void SnapshotStore::push(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
                         const AllocatorSample& a) {
  // The allocator's class count does not change during a replay: the first
  // sample fixes the stride of class_blocks_.
  if (!classes_known_) {
    classes_ = std::min<std::uint32_t>(a.class_count, FASTALLOC32_MAX_CLASSES);
    classes_known_ = true;
  }
  heads_.push_back({events, live_bytes, live_allocs, a.footprint, a.reserved});
  const std::size_t at = class_blocks_.size();
  class_blocks_.resize(at + classes_);
  for (std::uint32_t c = 0; c < classes_; ++c)
    class_blocks_[at + c] = c < a.class_count ? a.class_blocks[c] : 0;
}

void SnapshotStore::add(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
                        const AllocatorSample& a) {
  if (heads_.size() >= capacity_) {
    // The snapshots sit at every multiple of the interval, the first at
    // index 0: the odd indices hold the multiples of twice the interval.
    const std::size_t half = heads_.size() / 2;
    for (std::size_t i = 0; i < half; ++i) {
      heads_[i] = heads_[2 * i + 1];
      std::copy_n(class_blocks_.data() + (2 * i + 1) * classes_, classes_,
                  class_blocks_.data() + i * classes_);
    }
    heads_.resize(half);
    class_blocks_.resize(half * classes_);
    interval_ = interval_ > UINT64_MAX / 2 ? UINT64_MAX : interval_ * 2;
  }
  if (events % interval_ == 0) push(events, live_bytes, live_allocs, a);
  const std::uint64_t done = events / interval_;
  next_ = done >= UINT64_MAX / interval_ ? UINT64_MAX : (done + 1) * interval_;
}

void SnapshotStore::add_extra(std::uint64_t events, std::uint64_t live_bytes, std::uint64_t live_allocs,
                              const AllocatorSample& a) {
  push(events, live_bytes, live_allocs, a);
}

std::vector<Snapshot> SnapshotStore::snapshots() const {
  std::vector<Snapshot> out;
  out.reserve(heads_.size());
  for (std::size_t i = 0; i < heads_.size(); ++i) {
    const Head& h = heads_[i];
    const std::uint64_t* blocks = class_blocks_.data() + i * classes_;
    out.push_back({h.events, h.live_bytes, h.live_allocs, h.footprint, h.reserved,
                   std::vector<std::uint64_t>(blocks, blocks + classes_)});
  }
  return out;
}

}  // namespace fa32::app::replay
