// SPDX-License-Identifier: GPL-3.0-or-later
// The names of the touch modes, and the byte pattern --verify writes.
#include <cstring>

#include "fa32/app/replay/engine.hpp"

namespace fa32::app::replay {
namespace {

std::uint64_t pattern_word(std::uint64_t id) {
  return (id + 1) * 0x9E3779B97F4A7C15ull ^ 0xA5A5A5A55A5A5A5Aull;
}

}  // namespace

std::string_view touch_name(Touch t) {
  switch (t) {
    case Touch::none:
      return "none";
    case Touch::first:
      return "first";
    case Touch::all:
      return "all";
  }
  return "first";
}

std::optional<Touch> touch_from_name(std::string_view name) {
  if (name == "none") return Touch::none;
  if (name == "first") return Touch::first;
  if (name == "all") return Touch::all;
  return std::nullopt;
}

void fill_pattern(void* p, std::uint64_t bytes, std::uint64_t id) {
  const std::uint64_t w = pattern_word(id);
  auto* b = static_cast<unsigned char*>(p);
  std::uint64_t i = 0;
  for (; i + 8 <= bytes; i += 8) std::memcpy(b + i, &w, 8);
  unsigned char tail[8];
  std::memcpy(tail, &w, 8);
  for (std::uint64_t k = 0; i < bytes; ++i, ++k) b[i] = tail[k];
}

std::uint64_t check_pattern(const void* p, std::uint64_t bytes, std::uint64_t id) {
  const std::uint64_t w = pattern_word(id);
  unsigned char ref[8];
  std::memcpy(ref, &w, 8);
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    if (std::memcmp(b + i, ref, 8) != 0) break;
  }
  for (; i < bytes; ++i) {
    if (b[i] != ref[i % 8]) return i;
  }
  return bytes;
}

}  // namespace fa32::app::replay
