// fastalloc32 settings from command-line flags and/or a JSON file.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/app/replay/allocator.hpp"

namespace fa32::app::replay {

// "4096", "64K", "1M", "2MiB", "1G", "1T" (powers of 1024, as CLI11's
// AsSizeValue reads them, case-insensitive). nullopt if malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);
// Whether text is written as a size (decimal digits, then a unit parse_size
// knows or none) but is more than 2^64 - 1 bytes, so parse_size refuses it.
bool size_too_large(std::string_view text);

// The config's block sizes as the classes key reads them: sizes separated
// by commas, three or more equally spaced ones as FIRST-LAST/STEP
// ("16-256/16,288-512/32").
std::string describe_classes(const fastalloc32_config& config);

// fastalloc32's settings as given, by flags, a `fa32:` spec or a config file
// (the keys of config_keys.hpp); unset members keep the config file's value,
// or else the preset's (fastalloc32_config_preset).
struct Fa32Flags {
  std::string preset;       // empty: the command's default preset
  std::string config_file;  // a JSON file of the same keys
  std::string block_size;   // one class of N bytes
  std::string classes;      // 16,32,64,128
  std::string pool_size;
  std::string pool_limit;
  std::optional<bool> grow;  // pools grow up to 1 GiB per class
  std::string cache;         // entries
  std::string align;
  std::string large_cache;
  std::string large_arena;
  std::string mmap_threshold;
  std::optional<bool> secure_zero;
  std::optional<bool> peaks;  // track_peaks
  std::optional<bool> trim_pools;
  std::optional<bool> huge_pages;
};

// The preset fa32 replay and stats start from: the library's default with
// the peaks kept, so every figure of the report is exact. fa32 bench starts
// from "default", the library's default as fastalloc32_create() gives it.
inline constexpr const char* profiling_preset = "profiling";
inline constexpr const char* default_preset = "default";
// Every name fastalloc32_config_preset knows (the library's own list), for
// the CLI's check and the config file's message.
std::vector<std::string> preset_names();

// The config: the preset (flags.preset, or base_preset when it is empty),
// then the config file's keys, then the flags. Throws InputError naming the
// flag or the file and key that is wrong.
Fa32Settings make_fa32_settings(const Fa32Flags& flags, const char* base_preset = default_preset);

// How an error names a key: "--pool-size" for a flag; "pool-size" for a key
// of a `fa32:` spec (which puts the spec before the message).
using KeyNamer = std::function<std::string(std::string_view key)>;

// The same, the flags' errors naming each key by `name`.
Fa32Settings make_fa32_settings(const Fa32Flags& flags, const char* base_preset, const KeyNamer& name);

}  // namespace fa32::app::replay
