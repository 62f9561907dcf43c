// How the replayer writes into the blocks it gets (--touch). Inline: it runs
// after every allocation of the hot loop. Private to the engine.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <cstring>

#include "fa32/app/replay/options.hpp"

namespace fa32::app::replay::detail {

// Bytes written, and whether the page cap cut the range short.
struct Touched {
  std::uint64_t bytes = 0;
  bool capped = false;
};

// --touch first over [from, to): one byte in each 4 KiB step from `from`,
// for at most touch_page_cap steps, then the last byte of the range when the
// cap stopped short of it. A 1 TiB block costs 257 writes, not 268 million.
inline Touched touch_first(void* p, std::uint64_t from, std::uint64_t to) {
  auto* b = static_cast<volatile unsigned char*>(p);
  constexpr std::uint64_t reach = touch_page_cap * touch_page_size;
  if (to - from <= reach) {
    std::uint64_t n = 0;
    for (std::uint64_t off = from; off < to; off += touch_page_size, ++n) b[off] = 1;
    return {n, false};
  }
  for (std::uint64_t k = 0; k < touch_page_cap; ++k) b[from + k * touch_page_size] = 1;
  b[to - 1] = 1;
  return {touch_page_cap + 1, true};
}

inline Touched touch_block(Touch t, void* p, std::uint64_t from, std::uint64_t to) {
  if (from >= to || t == Touch::none) return {};
  if (t == Touch::first) return touch_first(p, from, to);
  std::memset(static_cast<unsigned char*>(p) + from, 0x5a, to - from);
  return {to - from, false};
}

}  // namespace fa32::app::replay::detail
