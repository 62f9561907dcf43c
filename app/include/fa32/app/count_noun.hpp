// A count with its noun, in the singular for one: "1 allocation",
// "3 allocations". Messages with a number in them read right at 1 too.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fa32::app {

// The noun's plural is the noun and an "s"; every noun passed is regular.
inline std::string count_noun(std::uint64_t n, std::string_view noun) {
  std::string s = std::to_string(n);
  s += ' ';
  s += noun;
  if (n != 1) s += 's';
  return s;
}

}  // namespace fa32::app
