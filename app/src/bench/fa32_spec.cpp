// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/fa32_spec.hpp"

#include <string>

#include "fa32/app/cli.hpp"

namespace fa32::app::bench {

replay::Fa32Flags parse_fa32_spec(std::string_view spec) {
  replay::Fa32Flags flags;
  std::size_t start = 0;
  while (start < spec.size()) {
    std::size_t end = spec.find(':', start);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string value(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
    const bool has_value = eq != std::string_view::npos;
    auto need_value = [&] {
      if (!has_value || value.empty()) {
        throw InputError("fastalloc32 config '" + std::string(spec) + "': " + std::string(key) +
                         " needs a value");
      }
    };
    if (key == "preset") {
      need_value();
      flags.preset = value;
    } else if (key == "classes") {
      need_value();
      flags.classes = value;
    } else if (key == "block-size") {
      need_value();
      flags.block_size = value;
    } else if (key == "pool") {
      need_value();
      flags.pool_size = value;
    } else if (key == "limit") {
      need_value();
      flags.pool_limit = value;
    } else if (key == "grow") {
      flags.grow = true;
    } else if (key == "cache") {
      need_value();
      flags.cache = value;
    } else if (key == "align") {
      need_value();
      flags.align = value;
    } else if (key == "large-cache") {
      need_value();
      flags.large_cache = value;
    } else if (key == "large-arena") {
      need_value();
      flags.large_arena = value;
    } else if (key == "mmap") {
      need_value();
      flags.mmap_threshold = value;
    } else if (key == "zero") {
      flags.secure_zero = true;
    } else if (key == "no-peaks") {
      flags.no_peaks = true;
    } else if (key == "peaks") {
      flags.peaks = true;
    } else if (key == "config") {
      need_value();
      flags.config_file = value;
    } else {
      throw InputError("fastalloc32 config '" + std::string(spec) + "': unknown key '" + std::string(key) +
                       "' (known: preset, classes, block-size, pool, limit, grow, cache, align, large-cache, "
                       "large-arena, mmap, zero, peaks, no-peaks, config)");
    }
  }
  // Values (sizes, class lists) are checked by the same code as fa32 replay's flags.
  replay::make_fa32_settings(flags);
  return flags;
}

}  // namespace fa32::app::bench
