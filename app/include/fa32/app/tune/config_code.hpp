// A tuned configuration as the user takes it away: the JSON file that
// `fa32 replay --config`, `fa32 stats --config` and
// `fa32 bench -a NAME=fa32:config=FILE` read, and the same settings as C and
// C++ source to paste into a program.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fastalloc32.h"

namespace fa32::app::tune {

// The config file's keys, the ones allocator_config.cpp's reader takes:
// classes, pool_size, pool_limit, cache, alignment, large_cache,
// large_arena, mmap_threshold. The only place tune knows them. track_peaks
// and secure_zero are not written: they are the reading command's choice
// (replay keeps peaks, bench and an embedder do not), not the trace's.
nlohmann::json write_config_json(const fastalloc32_config& config);

// Statements that fill a `fastalloc32_config config` from
// fastalloc32_config_init, and the C++ layer's equivalent.
std::string c_initializer(const fastalloc32_config& config);
std::string cpp_initializer(const fastalloc32_config& config);

}  // namespace fa32::app::tune
