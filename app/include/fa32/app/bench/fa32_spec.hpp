// fastalloc32 settings from a bench spec string, "classes=16,32,64:pool=1M".
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string_view>

#include "fa32/app/replay/allocator_config.hpp"

namespace fa32::app::bench {

// Keys, separated by ':' (values may hold commas), the same settings as
// `fa32 replay`'s flags: classes=LIST, block-size=N, pool=SIZE, limit=SIZE,
// grow, cache=N, align=N, large-cache=SIZE, mmap=SIZE, zero, config=FILE.
// "" is the library default. Throws InputError naming the bad key.
replay::Fa32Flags parse_fa32_spec(std::string_view spec);

}  // namespace fa32::app::bench
