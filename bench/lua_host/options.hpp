// SPDX-License-Identifier: GPL-3.0-or-later
// The Lua host's command line: which allocator, how many runs, the script
// and its arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fa32::lua_host {

enum class AllocKind { Fa32, System };

struct Options {
  AllocKind alloc = AllocKind::Fa32;
  int repeat = 1;           // runs of the script, each in a fresh state and allocator
  bool stats = false;       // print fastalloc32's statistics to stderr after each run
  std::size_t max_mem = 0;  // 0: no limit; else Lua's live bytes are capped here
  std::string preset;       // --alloc fa32: a fastalloc32_config_preset name; empty: fastalloc32_create()
  // --alloc fa32: huge_pages 0 on top of the default or the preset.
  bool no_huge_pages = false;
  // --alloc system: the library (path or soname) whose malloc and free the
  // process must be running on, or empty for no check.
  std::string expect_malloc;
  std::string script;  // path of the Lua script
  std::vector<std::string> script_args;
};

// The outcome of parsing: options, or help was asked for, or an error.
struct ParseResult {
  std::optional<Options> options;
  bool help = false;
  std::string error;  // set when neither options nor help
};

ParseResult parse_options(const std::vector<std::string>& args);

const char* usage_text();
const char* alloc_name(AllocKind kind);

}  // namespace fa32::lua_host
