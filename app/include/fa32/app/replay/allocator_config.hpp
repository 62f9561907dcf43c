// fastalloc32 settings from command-line flags and/or a JSON file.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fa32/app/replay/allocator.hpp"

namespace fa32::app::replay {

// "4096", "64K", "1M", "2MiB", "1G", "1T" (powers of 1024). nullopt if malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);

// As given on the command line; unset members keep the config file's value,
// or else fastalloc32's default.
struct Fa32Flags {
  std::string config_file;  // --config FILE.json
  std::string block_size;   // --block-size N: one class of N bytes
  std::string classes;      // --classes 16,32,64,128
  std::string pool_size;
  std::string pool_limit;
  bool grow = false;  // --grow: pools grow up to 1 GiB per class
  std::string cache;  // entries
  std::string align;
  std::string large_cache;
  std::string large_arena;
  std::string mmap_threshold;
  bool secure_zero = false;
  bool no_peaks = false;  // fa32 bench's no-peaks: track_peaks = 0
};

// Throws InputError naming the flag or the file and key that is wrong.
Fa32Settings make_fa32_settings(const Fa32Flags& flags);

}  // namespace fa32::app::replay
