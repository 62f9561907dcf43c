// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/fa32_spec.hpp"

#include <string>

#include "fa32/app/cli.hpp"
#include "fa32/app/replay/config_keys.hpp"

namespace fa32::app::bench {

replay::Fa32Flags parse_fa32_spec(std::string_view spec) {
  replay::Fa32Flags flags;
  const std::string whole = "fastalloc32 config '" + std::string(spec) + "'";
  std::size_t start = 0;
  while (start < spec.size()) {
    std::size_t end = spec.find(':', start);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    const bool has_value = eq != std::string_view::npos;
    std::string value(has_value ? item.substr(eq + 1) : std::string_view{});
    const replay::ConfigKey* key = replay::find_config_key(name);
    // A toggle alone is on; "no-" before it turns it off.
    if (key == nullptr && !has_value && name.starts_with("no-")) {
      key = replay::find_config_key(name.substr(3));
      if (key != nullptr && key->kind == replay::KeyKind::toggle) value = "false";
    } else if (key != nullptr && key->kind == replay::KeyKind::toggle && !has_value) {
      value = "true";
    }
    if (key == nullptr || (key->kind == replay::KeyKind::toggle && value.empty())) {
      throw InputError(whole + ": unknown key '" + std::string(name) +
                       "' (known: " + replay::config_key_list() + "; a toggle alone is on, no-TOGGLE off)");
    }
    const std::string what = whole + ": " + std::string(key->name);
    if (value.empty()) throw InputError(what + " needs a value");
    replay::set_config_key(flags, *key, std::move(value), what);
  }
  // Values (sizes, class lists) are checked by the same code as fa32 replay's
  // flags; an error names the spec and its keys, not the flags (--cache) the
  // user did not write.
  try {
    replay::make_fa32_settings(flags, replay::default_preset,
                               [](std::string_view key) { return std::string(key); });
  } catch (const InputError& e) {
    throw InputError(whole + ": " + e.what());
  }
  return flags;
}

}  // namespace fa32::app::bench
