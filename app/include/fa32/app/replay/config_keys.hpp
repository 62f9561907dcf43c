// One vocabulary for fastalloc32's settings: each key has one name, the same
// as a flag (--pool-size), as a `fa32:` spec key (pool-size=1M) and as a
// --config JSON key ("pool-size", or "pool_size" as JSON usually spells it).
// The flags, the spec parser, the config-file reader and the error messages
// all come from the one table in config_keys.cpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fa32/app/replay/allocator_config.hpp"

namespace CLI {
class App;
}

namespace fa32::app::replay {

enum class KeyKind {
  name,    // preset, config: a word or a file
  size,    // bytes, with K/M/G/T suffixes
  sizes,   // a comma-separated list of sizes
  count,   // a plain number
  toggle,  // on or off: --grow, spec "grow" or "no-grow", JSON true/false
};

struct ConfigKey {
  std::string_view name;
  KeyKind kind;
  std::string_view help;
  std::string Fa32Flags::*text = nullptr;            // name, size, sizes, count
  std::optional<bool> Fa32Flags::*toggle = nullptr;  // toggle
};

std::span<const ConfigKey> config_keys();
// The key called name ('_' reads as '-'), or nullptr.
const ConfigKey* find_config_key(std::string_view name);
// "preset, config, block-size, ...", for messages.
std::string config_key_list();
// Sets key in flags from its text form ("true"/"false" for a toggle). Throws
// InputError naming `what` when the key was already set or a toggle's value
// is neither.
void set_config_key(Fa32Flags& flags, const ConfigKey& key, std::string value, const std::string& what);
// Adds one option per key to a subcommand, bound to flags.
void add_config_options(CLI::App& sub, Fa32Flags& flags);

// The first key flags sets (its name, as a flag is spelled without "--"),
// or an empty string when it sets none.
std::string first_key_set(const Fa32Flags& flags);

}  // namespace fa32::app::replay
