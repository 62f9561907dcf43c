// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/config_code.hpp"

#include <vector>

namespace fa32::app::tune {
namespace {

// The settings tune chooses, in the order both the file and the code list
// them; the code says the field, the file its key (the names of
// replay/config_keys.cpp, the same as the flags').
struct Setting {
  const char* key;
  const char* field;
  std::uint64_t value;
};

std::vector<Setting> settings(const fastalloc32_config& c) {
  return {
      {"pool-size", "pool_size", c.pool_size},
      {"pool-limit", "pool_limit", c.pool_limit},
      {"cache", "cache_capacity", c.cache_capacity},
      {"align", "alignment", c.alignment},
      {"large-cache", "large_cache_bytes", c.large_cache_bytes},
      {"large-arena", "large_arena_size", c.large_arena_size},
      {"mmap-threshold", "mmap_threshold", c.mmap_threshold},
  };
}

// The switches of the measured config. The file gives those that change
// what the allocator does with memory; whether peaks are kept is the reading
// command's (replay and stats report them, bench leaves them off), so the
// file leaves "peaks" to it. The pasted code sets all of them: it is the
// config that was measured, exactly.
struct Toggle {
  const char* key;
  const char* field;
  bool value;
  bool in_file;
};

std::vector<Toggle> toggles(const fastalloc32_config& c) {
  return {
      {"secure-zero", "secure_zero", c.secure_zero != 0, true},
      {"trim-pools", "trim_pools", c.trim_pools != 0, true},
      {"huge-pages", "huge_pages", c.huge_pages != 0, true},
      {"peaks", "track_peaks", c.track_peaks != 0, false},
  };
}

std::string assignments(const fastalloc32_config& c) {
  std::string out = "config.class_count = " + std::to_string(c.class_count) + ";\n";
  for (std::uint32_t i = 0; i < c.class_count; ++i) {
    out += "config.block_sizes[" + std::to_string(i) + "] = " + std::to_string(c.block_sizes[i]) + ";\n";
  }
  for (const Setting& s : settings(c))
    out += "config." + std::string(s.field) + " = " + std::to_string(s.value) + ";\n";
  for (const Toggle& t : toggles(c))
    out += "config." + std::string(t.field) + (t.value ? " = 1;\n" : " = 0;\n");
  return out;
}

}  // namespace

nlohmann::json write_config_json(const fastalloc32_config& config) {
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json classes = nlohmann::json::array();
  for (std::uint32_t i = 0; i < config.class_count; ++i)
    classes.push_back(std::uint64_t{config.block_sizes[i]});
  j["classes"] = classes;
  for (const Setting& s : settings(config)) j[s.key] = s.value;
  for (const Toggle& t : toggles(config))
    if (t.in_file) j[t.key] = t.value;
  return j;
}

std::string c_initializer(const fastalloc32_config& config) {
  return "fastalloc32_config config;\nfastalloc32_config_init(&config); /* size, version, the defaults */\n" +
         assignments(config) + "fastalloc32_mm* mm = fastalloc32_create_with(&config, NULL);\n";
}

std::string cpp_initializer(const fastalloc32_config& config) {
  return "fa32::Config config = fa32::default_config();\n" + assignments(config) +
         "fa32::Allocator allocator(config);\n";
}

}  // namespace fa32::app::tune
