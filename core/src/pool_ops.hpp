// SPDX-License-Identifier: GPL-3.0-or-later
// The inline halves of pool allocation and free, shared by the C API's fast
// paths and the slow paths. They move two counters of the class (malloc) or
// one (free), plus the global peaks when the manager keeps them.
#pragma once

#include "manager.hpp"

namespace fa32::core {

// Hands out block `index` of class k for a request of `size` bytes.
inline void* pool_hand_out(Manager& m, PoolClass& k, uint32_t index, size_t size) noexcept {
  // Read before the counter stores, which may alias it for the compiler:
  // one load of block_size for the peaks and the address.
  const size_t block_size = k.block_size;
  k.set_live(index, size);
  k.allocs++;
  k.requested_in += size;
  if (m.track_peaks) {
    m.peaks.add_block(size, block_size, 1);
    k.requested_peak.add(size);
  }
  return k.block(index, block_size);
}

// Takes a live pool block out of the live set, with its accounting.
inline void pool_account_release(Manager& m, PoolClass& k, uint32_t index, uint64_t state) noexcept {
  const uint64_t requested = state - 1;
  k.clear_live(index);
  k.released += state;
  if (m.track_peaks) {
    m.peaks.sub_block(requested, k.block_size, 1);
    k.requested_peak.sub(requested);
  }
}

}  // namespace fa32::core
