// fastalloc32 settings from a bench spec string, "classes=16,32,64:pool-size=1M".
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string_view>

#include "fa32/app/replay/allocator_config.hpp"

namespace fa32::app::bench {

// KEY=VALUE items separated by ':' (values may hold commas), with the keys
// of config_keys.hpp, named as `fa32 replay`'s flags are: classes=LIST,
// pool-size=SIZE, cache=N, config=FILE, ...; a toggle alone (grow, peaks,
// secure-zero) turns it on, no-TOGGLE off. "" is the library default.
// Throws InputError naming the bad key.
replay::Fa32Flags parse_fa32_spec(std::string_view spec);

}  // namespace fa32::app::bench
