// Points kept at every multiple of an interval in a bounded buffer: when the
// buffer fills, every other point goes and the interval doubles, so any
// number of events ends with evenly spaced points. Shared by the automatic
// timeline (timeline.hpp) and --snapshot-every (snapshots.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace fa32::app::replay {

// Thins `count` points that sit at every multiple of the interval, the
// first at index 0: keeping the odd indices keeps the multiples of twice
// the interval. move(from, to) copies point `from` to index `to`; returns
// how many are kept.
template <class Move>
std::size_t keep_every_other(std::size_t count, Move move) {
  const std::size_t half = count / 2;
  for (std::size_t i = 0; i < half; ++i) move(2 * i + 1, i);
  return half;
}

// The interval after a thinning (saturating).
inline std::uint64_t doubled(std::uint64_t interval) {
  return interval > UINT64_MAX / 2 ? UINT64_MAX : interval * 2;
}

// The first multiple of interval (> 0) after events; UINT64_MAX past it.
inline std::uint64_t next_multiple(std::uint64_t events, std::uint64_t interval) {
  const std::uint64_t done = events / interval;
  return done >= UINT64_MAX / interval ? UINT64_MAX : (done + 1) * interval;
}

}  // namespace fa32::app::replay
