// SPDX-License-Identifier: GPL-3.0-or-later
// The inline halves of pool allocation and free, shared by the C API's fast
// paths and the slow paths. Stats updates are plain integer increments.
#pragma once

#include "manager.hpp"

namespace fa32::core {

// Hands out block `index` of class k for a request of `size` bytes.
inline void* pool_hand_out(Manager& m, PoolClass& k, uint32_t index, size_t size) noexcept {
  k.set_live(index, size);
  k.blocks_in_use.add(1);
  k.bytes_requested.add(size);
  k.counters.pool_allocs++;
  m.gauges.pool_blocks.add(1);
  m.gauges.live_allocs.add(1);
  m.gauges.bytes_requested.add(size);
  m.gauges.bytes_reserved.add(k.block_size);
  return k.block(index);
}

// Takes a live pool block out of the live set, with its accounting.
inline void pool_account_release(Manager& m, PoolClass& k, uint32_t index, uint32_t state) noexcept {
  const uint32_t requested = state - 1;
  k.clear_live(index);
  k.counters.pool_frees++;
  k.blocks_in_use.sub(1);
  k.bytes_requested.sub(requested);
  m.gauges.pool_blocks.sub(1);
  m.gauges.live_allocs.sub(1);
  m.gauges.bytes_requested.sub(requested);
  m.gauges.bytes_reserved.sub(k.block_size);
}

}  // namespace fa32::core
