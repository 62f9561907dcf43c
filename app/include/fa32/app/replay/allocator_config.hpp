// fastalloc32 settings from command-line flags and/or a JSON file.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fa32/app/replay/allocator.hpp"

namespace fa32::app::replay {

// "4096", "64K", "1M", "2MiB", "1G" (powers of 1024). nullopt if malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);

// As given on the command line; unset members keep the config file's value,
// or else the preset's (fastalloc32_config_preset).
struct Fa32Flags {
  std::string preset;       // --preset NAME; empty: the command's default preset
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
  bool no_peaks = false;  // --no-peaks, bench's no-peaks: track_peaks = 0
  bool peaks = false;     // bench's peaks: track_peaks = 1
};

// The preset fa32 replay and stats start from: the library's default with
// the peaks kept, so every figure of the report is exact. fa32 bench starts
// from "default", the library's default as fastalloc32_create() gives it.
inline constexpr const char* profiling_preset = "profiling";
inline constexpr const char* default_preset = "default";

// The config: the preset (flags.preset, or base_preset when it is empty),
// then the config file's keys, then the flags. Throws InputError naming the
// flag or the file and key that is wrong.
Fa32Settings make_fa32_settings(const Fa32Flags& flags, const char* base_preset = default_preset);

}  // namespace fa32::app::replay
