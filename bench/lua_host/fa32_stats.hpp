// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32's statistics after a run, in the terms that explain a slow
// one: where allocations were served (pool, fallback, large), what the
// reallocs did, the peak footprint and the system calls.
#pragma once

#include <cstdio>

#include "fastalloc32.h"

namespace fa32::lua_host {

// Prints the statistics of mm to out; false (and nothing printed) if they
// could not be read.
bool print_fa32_stats(const fastalloc32_mm* mm, std::FILE* out);

}  // namespace fa32::lua_host
