// SPDX-License-Identifier: GPL-3.0-or-later
// The size-class config the C++ layer and Lua tests share.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fastalloc32.hpp"

namespace fa32::test {

// Six classes, 16..128 B, pool_size bytes of pool each.
inline fa32::Config six_class_config(std::size_t pool_size) {
  fa32::Config c = fa32::original_config();
  const std::size_t sizes[] = {16, 32, 48, 64, 96, 128};
  c.class_count = 6;
  for (std::uint32_t i = 0; i < c.class_count; ++i) c.block_sizes[i] = sizes[i];
  c.pool_size = pool_size;
  return c;
}

}  // namespace fa32::test
