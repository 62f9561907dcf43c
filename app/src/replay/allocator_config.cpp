// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/allocator_config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <functional>
#include <ios>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/replay/config_keys.hpp"

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
  if (!v && size_too_large(text))
    throw InputError(what + ": '" + std::string(text) + "' is more than " +
                     std::to_string(std::numeric_limits<std::uint64_t>::max()));
  if (!v) throw InputError(what + ": '" + std::string(text) + "' is not a size (e.g. 4096, 64K, 1M)");
  return *v;
}

std::uint32_t count_or_throw(const std::string& text, const std::string& what) {
  std::uint32_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const bool whole = ptr == text.data() + text.size() && !text.empty();
  // Digits past 2^32 - 1 are a count, too large: "not a count" misled.
  if (whole && ec == std::errc::result_out_of_range)
    throw InputError(what + ": '" + text + "' is more than " +
                     std::to_string(std::numeric_limits<std::uint32_t>::max()));
  if (ec != std::errc() || !whole) throw InputError(what + ": '" + text + "' is not a count");
  return n;
}

void set_classes(fastalloc32_config& c, const std::string& text, const std::string& what) {
  std::vector<std::uint64_t> sizes;
  // Split here, not by CLI11's split: that drops a last empty item, so
  // "16,32," was taken as 16,32 without a word. An empty item anywhere is
  // a slip (a size left out), refused by name.
  std::vector<std::string> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& item : items) {
    if (item.empty())
      throw InputError(what + ": '" + text + "' has an empty item; give a size between commas");
    // FIRST-LAST/STEP: every STEP bytes from FIRST to LAST (the form
    // describe() writes, so a report's class list can be given back).
    const auto dash = item.find('-');
    if (dash == std::string::npos) {
      sizes.push_back(size_or_throw(item, what));
      continue;
    }
    const auto slash = item.find('/', dash);
    if (slash == std::string::npos) throw InputError(what + ": '" + item + "': a range is FIRST-LAST/STEP");
    const std::uint64_t first = size_or_throw(item.substr(0, dash), what);
    const std::uint64_t last = size_or_throw(item.substr(dash + 1, slash - dash - 1), what);
    const std::uint64_t step = size_or_throw(item.substr(slash + 1), what);
    if (step == 0 || last < first || (last - first) % step != 0)
      throw InputError(what + ": '" + item + "': LAST must be FIRST plus a whole number of STEPs");
    if ((last - first) / step >= FASTALLOC32_MAX_CLASSES)
      throw InputError(what + ": '" + item + "' gives more than " + std::to_string(FASTALLOC32_MAX_CLASSES) +
                       " classes");
    // By count: a size stepped past a LAST within a STEP of 2^64 wraps.
    for (std::uint64_t i = 0; i <= (last - first) / step; ++i) sizes.push_back(first + i * step);
  }
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

void apply_preset(fastalloc32_config& c, const std::string& name, const std::string& what) {
  if (fastalloc32_config_preset(&c, name.c_str()) != FASTALLOC32_OK) {
    std::string known;
    for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError(what + ": unknown preset '" + name + "' (known: " + known + ")");
  }
}

// Every key but preset and config, in one place whatever their source.
void apply_keys(fastalloc32_config& c, const Fa32Flags& f, const KeyNamer& name) {
  if (!f.block_size.empty() && !f.classes.empty())
    throw InputError(name("block-size") + " and " + name("classes") + " both set the size classes; give one");
  if (!f.block_size.empty()) set_classes(c, f.block_size, name("block-size"));
  if (!f.classes.empty()) set_classes(c, f.classes, name("classes"));
  if (!f.pool_size.empty()) c.pool_size = size_or_throw(f.pool_size, name("pool-size"));
  if (!f.pool_limit.empty() && f.grow)
    throw InputError(name("pool-limit") + " and " + name("grow") + ": give one");
  if (!f.pool_limit.empty()) c.pool_limit = size_or_throw(f.pool_limit, name("pool-limit"));
  if (!f.cache.empty()) c.cache_capacity = count_or_throw(f.cache, name("cache"));
  if (!f.align.empty()) c.alignment = size_or_throw(f.align, name("align"));
  if (!f.large_cache.empty()) c.large_cache_bytes = size_or_throw(f.large_cache, name("large-cache"));
  if (!f.large_arena.empty()) c.large_arena_size = size_or_throw(f.large_arena, name("large-arena"));
  if (!f.mmap_threshold.empty()) c.mmap_threshold = size_or_throw(f.mmap_threshold, name("mmap-threshold"));
  if (f.secure_zero) c.secure_zero = *f.secure_zero ? 1 : 0;
  if (f.peaks) c.track_peaks = *f.peaks ? 1 : 0;
  if (f.trim_pools) c.trim_pools = *f.trim_pools ? 1 : 0;
  if (f.huge_pages) c.huge_pages = *f.huge_pages ? 1 : 0;
  // After the pool size, so the bound follows it. Off is a pool limit of
  // 0: a class keeps its first pool and falls back when it is full.
  if (f.grow) {
    if (*f.grow) {
      set_grow(c);
    } else {
      c.pool_limit = 0;
    }
  }
}

// A JSON value as the text a flag would give: sizes may be numbers or
// strings, a class list an array, a toggle true or false.
std::string json_text(const ConfigKey& key, const json& v, const std::string& what) {
  if (key.kind == KeyKind::toggle) {
    if (!v.is_boolean()) throw InputError(what + ": expected true or false");
    return v.get<bool>() ? "true" : "false";
  }
  if (key.kind == KeyKind::sizes && v.is_array()) {
    std::string out;
    for (const json& x : v)
      out += (out.empty() ? "" : ",") + json_text(ConfigKey{key.name, KeyKind::size, {}}, x, what);
    return out;
  }
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  // A whole number past 2^64 - 1 is read as a double: "expected a
  // non-negative number" said it was not one.
  if (v.is_number_float() && key.kind != KeyKind::name && v.get<double>() >= 0x1p64)
    throw InputError(what + ": the number is more than " +
                     std::to_string(key.kind == KeyKind::count ? std::numeric_limits<std::uint32_t>::max()
                                                               : std::numeric_limits<std::uint64_t>::max()));
  if (v.is_string() && key.kind != KeyKind::count) return v.get<std::string>();
  if (key.kind == KeyKind::count) throw InputError(what + ": expected a count");
  if (key.kind == KeyKind::sizes) throw InputError(what + ": expected an array of block sizes");
  if (key.kind == KeyKind::name) throw InputError(what + ": expected a name");
  throw InputError(what + ": expected a non-negative number or a size string");
}

// The members of the JSON object in `in`, in the order written, duplicates
// kept (a parsed object keeps one copy of a key given twice, nlohmann the
// last, so {"cache": 1, "cache": 2} read as cache 2 without a word); false
// when the value is not an object.
bool read_members(std::istream& in, std::vector<std::pair<std::string, json>>& members) {
  bool object = false;
  int depth = 0;
  const auto collect = [&](int, json::parse_event_t ev, json& parsed) {
    using E = json::parse_event_t;
    if (ev == E::object_start || ev == E::array_start) {
      if (depth++ == 0) object = ev == E::object_start;
    } else if (ev == E::object_end || ev == E::array_end) {
      // A whole array or object is the value of the member it ends. Moved,
      // not copied: a copy recurses as deep as the value nests, and a file
      // of a million '[' overflowed the stack. The parsed document is not used.
      if (--depth == 1 && object) members.back().second = std::move(parsed);
    } else if (depth == 1 && object && ev == E::key) {
      members.emplace_back(parsed.get<std::string>(), json());
    } else if (depth == 1 && object && ev == E::value) {
      members.back().second = std::move(parsed);
    }
    return true;
  };
  return json::parse(in, collect).is_object();
}

// preset_given: how the preset given beside the file was named ("" if none).
// Returns the file's grow key, for the flags' pool size to follow.
std::optional<bool> apply_file(fastalloc32_config& c, const std::string& path,
                               const std::string& preset_given) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the allocator config");
  std::vector<std::pair<std::string, json>> members;
  try {
    if (!read_members(in, members)) throw InputError(path + ": the allocator config must be a JSON object");
  } catch (const json::parse_error& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  } catch (const std::ios_base::failure& e) {
    // libstdc++'s filebuf throws on a read error (a directory opens, then
    // fails to read): say which file, as for the others.
    throw InputError(path + ": cannot read the allocator config: " + e.what());
  }
  Fa32Flags f;
  std::map<std::string, std::string, std::less<>> spelled;  // canonical key -> as the file spells it
  for (const auto& [written, v] : members) {
    const std::string what = path + ": \"" + written + "\"";
    const ConfigKey* key = find_config_key(written);
    if (key == nullptr) throw InputError(what + ": unknown key (known: " + config_key_list() + ")");
    if (key->name == "config") throw InputError(what + ": a config file cannot name another");
    spelled[std::string(key->name)] = written;
    set_config_key(f, *key, json_text(*key, v, what), what);
  }
  // The preset first, whatever the key order: the other keys change it.
  if (!f.preset.empty()) {
    const std::string what = path + ": \"" + spelled["preset"] + "\"";
    if (!preset_given.empty()) throw InputError(what + ": " + preset_given + " is given too; give one");
    apply_preset(c, f.preset, what);
  }
  apply_keys(c, f, [&](std::string_view k) {
    const auto it = spelled.find(k);
    return path + ": \"" + (it != spelled.end() ? it->second : std::string(k)) + "\"";
  });
  return f.grow;
}

}  // namespace

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (unsigned i = 0; const char* name = fastalloc32_preset_name(i); ++i) names.emplace_back(name);
  return names;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  // AsSizeValue takes signs and spaces that a size never has.
  if (text.empty() || text.find_first_not_of("0123456789") == 0) return std::nullopt;
  // AsSizeValue reads the number before the unit with strtoull's base 0: a
  // leading zero made it octal ("0100K" was 64 KiB where "0100" was 100
  // bytes) and "0x10K" hex. Every size is decimal digits: the zeros go first.
  if (text.substr(0, text.find_last_of("0123456789") + 1).find_first_not_of("0123456789") !=
      std::string_view::npos)
    return std::nullopt;
  while (text.size() > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9') text.remove_prefix(1);
  std::string value(text);
  static const CLI::AsSizeValue as_size(false);
  try {
    if (!as_size(value).empty()) return std::nullopt;
  } catch (const CLI::ValidationError&) {  // an unknown unit or an overflow
    return std::nullopt;
  }
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
  return n;
}

bool size_too_large(std::string_view text) {
  const std::size_t unit = std::min(text.find_first_not_of("0123456789"), text.size());
  if (unit == 0) return false;
  // The unit as parse_size reads it: "1" with it is a size, or it is no unit.
  const auto scale = parse_size("1" + std::string(text.substr(unit)));
  if (!scale) return false;
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + unit, n);
  return ec == std::errc::result_out_of_range || n > std::numeric_limits<std::uint64_t>::max() / *scale;
}

std::string describe_classes(const fastalloc32_config& config) {
  const std::uint32_t n =
      config.class_count < FASTALLOC32_MAX_CLASSES ? config.class_count : FASTALLOC32_MAX_CLASSES;
  const auto* b = config.block_sizes;
  std::string out;
  for (std::uint32_t i = 0; i < n;) {
    if (!out.empty()) out += ',';
    // The longest run of equal steps from i: three sizes or more make a range.
    std::uint32_t j = i + 1;
    if (j < n) {
      const std::size_t step = b[j] - b[i];
      while (j + 1 < n && b[j + 1] - b[j] == step) ++j;
    }
    if (j - i >= 2) {
      out += std::to_string(b[i]) + '-' + std::to_string(b[j]) + '/' + std::to_string(b[i + 1] - b[i]);
      i = j + 1;
    } else {
      out += std::to_string(b[i]);
      ++i;
    }
  }
  return out;
}

Fa32Settings make_fa32_settings(const Fa32Flags& f, const char* base_preset) {
  return make_fa32_settings(f, base_preset, [](std::string_view k) { return "--" + std::string(k); });
}

Fa32Settings make_fa32_settings(const Fa32Flags& f, const char* base_preset, const KeyNamer& name) {
  Fa32Settings s;
  fastalloc32_config& c = s.config;
  if (f.preset.empty()) {
    apply_preset(c, base_preset, "the base preset");
  } else {
    apply_preset(c, f.preset, name("preset"));
  }
  std::optional<bool> file_grow;
  if (!f.config_file.empty())
    file_grow = apply_file(c, f.config_file, f.preset.empty() ? "" : name("preset"));
  apply_keys(c, f, name);
  // A file's "grow" bounds the pools by the pool size a flag gives too, as
  // --grow does beside --pool-size: it was set from the file's pool size, and
  // a --pool-size over 1 GiB then made a config fastalloc32 refuses.
  if (file_grow == true && !f.grow && f.pool_limit.empty() && !f.pool_size.empty()) set_grow(c);
  return s;
}

}  // namespace fa32::app::replay
