// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/allocator_config.hpp"

#include <charconv>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fa32/app/cli.hpp"

namespace fa32::app::replay {
namespace {

using nlohmann::json;

// What --grow means: fastalloc32 reserves each class's whole limit of
// address space at create, so "unbounded" is a large, finite bound.
constexpr std::uint64_t kGrowLimit = std::uint64_t{1} << 30;

void set_grow(fastalloc32_config& c) {
  c.pool_limit = c.pool_size > kGrowLimit ? c.pool_size : kGrowLimit;
}

std::uint64_t size_or_throw(std::string_view text, const std::string& what) {
  const auto v = parse_size(text);
  if (!v) throw InputError(what + ": '" + std::string(text) + "' is not a size (e.g. 4096, 64K, 1M)");
  return *v;
}

std::vector<std::uint64_t> class_list(std::string_view text, const std::string& what) {
  std::vector<std::uint64_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    out.push_back(size_or_throw(item, what));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

void set_classes(fastalloc32_config& c, const std::vector<std::uint64_t>& sizes, const std::string& what) {
  if (sizes.empty() || sizes.size() > FASTALLOC32_MAX_CLASSES) {
    throw InputError(what + ": between 1 and " + std::to_string(FASTALLOC32_MAX_CLASSES) + " classes, got " +
                     std::to_string(sizes.size()));
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) throw InputError(what + ": a block size of 0");
    if (i > 0 && sizes[i] <= sizes[i - 1]) throw InputError(what + ": block sizes must be ascending");
    c.block_sizes[i] = sizes[i];
  }
  for (std::size_t i = sizes.size(); i < FASTALLOC32_MAX_CLASSES; ++i) c.block_sizes[i] = 0;
  c.class_count = static_cast<std::uint32_t>(sizes.size());
}

std::uint64_t json_size(const json& v, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_string()) return size_or_throw(v.get<std::string>(), what);
  throw InputError(what + ": expected a non-negative number or a size string");
}

void apply_preset(fastalloc32_config& c, const std::string& name, const std::string& what) {
  if (fastalloc32_config_preset(&c, name.c_str()) != FASTALLOC32_OK) {
    throw InputError(what + ": unknown preset '" + name + "' (known: default, profiling, original)");
  }
}

void apply_file(fastalloc32_config& c, const std::string& path, bool preset_given) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the allocator config");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw InputError(path + ": the allocator config must be a JSON object");
  // The preset first, whatever the key order: the other keys change it.
  if (const auto it = j.find("preset"); it != j.end()) {
    const std::string what = path + ": \"preset\"";
    if (preset_given) throw InputError(what + ": --preset is given too; give one");
    if (!it->is_string()) throw InputError(what + ": expected a preset name");
    apply_preset(c, it->get<std::string>(), what);
  }
  for (const auto& [key, v] : j.items()) {
    const std::string what = path + ": \"" + key + "\"";
    if (key == "preset") {
      continue;
    } else if (key == "block_size") {
      set_classes(c, {json_size(v, what)}, what);
    } else if (key == "classes") {
      if (!v.is_array()) throw InputError(what + ": expected an array of block sizes");
      std::vector<std::uint64_t> sizes;
      for (const auto& x : v) sizes.push_back(json_size(x, what));
      set_classes(c, sizes, what);
    } else if (key == "pool_size") {
      c.pool_size = json_size(v, what);
    } else if (key == "pool_limit") {
      c.pool_limit = json_size(v, what);
    } else if (key == "grow") {
      if (!v.is_boolean()) throw InputError(what + ": expected true or false");
      if (v.get<bool>()) set_grow(c);
    } else if (key == "cache") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > UINT32_MAX)
        throw InputError(what + ": expected a count");
      c.cache_capacity = v.get<std::uint32_t>();
    } else if (key == "align" || key == "alignment") {
      c.alignment = json_size(v, what);
    } else if (key == "large_cache") {
      c.large_cache_bytes = json_size(v, what);
    } else if (key == "large_arena") {
      c.large_arena_size = json_size(v, what);
    } else if (key == "mmap_threshold") {
      c.mmap_threshold = json_size(v, what);
    } else if (key == "secure_zero") {
      if (!v.is_boolean()) throw InputError(what + ": expected true or false");
      c.secure_zero = v.get<bool>() ? 1 : 0;
    } else if (key == "track_peaks") {
      if (!v.is_boolean()) throw InputError(what + ": expected true or false");
      c.track_peaks = v.get<bool>() ? 1 : 0;
    } else {
      throw InputError(what +
                       ": unknown key (known: preset, block_size, classes, pool_size, pool_limit, grow, "
                       "cache, align, large_cache, large_arena, mmap_threshold, secure_zero, track_peaks)");
    }
  }
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr == first) return std::nullopt;
  std::string_view suffix(ptr, static_cast<std::size_t>(last - ptr));
  unsigned shift = 0;
  if (suffix.empty() || suffix == "B") {
    shift = 0;
  } else if (suffix == "K" || suffix == "k" || suffix == "KiB") {
    shift = 10;
  } else if (suffix == "M" || suffix == "MiB") {
    shift = 20;
  } else if (suffix == "G" || suffix == "GiB") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (shift != 0 && value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

Fa32Settings make_fa32_settings(const Fa32Flags& f, const char* base_preset) {
  Fa32Settings s;
  fastalloc32_config& c = s.config;
  if (f.preset.empty()) {
    apply_preset(c, base_preset, "the base preset");
  } else {
    apply_preset(c, f.preset, "--preset");
  }
  if (!f.config_file.empty()) apply_file(c, f.config_file, !f.preset.empty());
  if (!f.block_size.empty() && !f.classes.empty())
    throw InputError("--block-size and --classes both set the size classes; give one");
  if (!f.block_size.empty()) set_classes(c, {size_or_throw(f.block_size, "--block-size")}, "--block-size");
  if (!f.classes.empty()) set_classes(c, class_list(f.classes, "--classes"), "--classes");
  if (!f.pool_size.empty()) c.pool_size = size_or_throw(f.pool_size, "--pool-size");
  if (!f.pool_limit.empty() && f.grow) throw InputError("--pool-limit and --grow: give one");
  if (!f.pool_limit.empty()) c.pool_limit = size_or_throw(f.pool_limit, "--pool-limit");
  if (!f.cache.empty()) {
    std::uint32_t n = 0;
    const auto [ptr, ec] = std::from_chars(f.cache.data(), f.cache.data() + f.cache.size(), n);
    if (ec != std::errc() || ptr != f.cache.data() + f.cache.size())
      throw InputError("--cache: '" + f.cache + "' is not a count");
    c.cache_capacity = n;
  }
  if (!f.align.empty()) c.alignment = size_or_throw(f.align, "--align");
  if (!f.large_cache.empty()) c.large_cache_bytes = size_or_throw(f.large_cache, "--large-cache");
  if (!f.large_arena.empty()) c.large_arena_size = size_or_throw(f.large_arena, "--large-arena");
  if (!f.mmap_threshold.empty()) c.mmap_threshold = size_or_throw(f.mmap_threshold, "--mmap-threshold");
  if (f.secure_zero) c.secure_zero = 1;
  if (f.no_peaks && f.peaks) throw InputError("peaks and no-peaks: give one");
  if (f.no_peaks) c.track_peaks = 0;
  if (f.peaks) c.track_peaks = 1;
  // After --pool-size, so the bound follows it.
  if (f.grow) set_grow(c);
  return s;
}

}  // namespace fa32::app::replay
