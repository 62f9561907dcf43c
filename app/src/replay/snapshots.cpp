// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/snapshots.hpp"

#include <algorithm>

#include "fa32/app/replay/even_spacing.hpp"

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
    const std::size_t kept = keep_every_other(heads_.size(), [this](std::size_t from, std::size_t to) {
      heads_[to] = heads_[from];
      std::copy_n(class_blocks_.data() + from * classes_, classes_, class_blocks_.data() + to * classes_);
    });
    heads_.resize(kept);
    class_blocks_.resize(kept * classes_);
    interval_ = doubled(interval_);
  }
  if (events % interval_ == 0) push(events, live_bytes, live_allocs, a);
  next_ = next_multiple(events, interval_);
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
