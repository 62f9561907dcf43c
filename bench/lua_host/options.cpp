// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.hpp"

#include <charconv>
#include <cstdint>

#include "fastalloc32.h"

namespace fa32::lua_host {
namespace {

// A whole decimal number in [min, max], or nothing.
std::optional<std::uint64_t> parse_count(const std::string& text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace

const char* usage_text() {
  return "usage: fa32_lua_host --alloc fa32|system [--preset NAME] [--no-huge-pages] [--repeat N]\n"
         "                     [--stats] [--max-mem BYTES] [--expect-malloc LIBRARY]\n"
         "                     SCRIPT.lua [ARG...]\n"
         "\n"
         "Runs a Lua 5.4 script in a state whose only allocator is the one chosen:\n"
         "  --alloc fa32     fastalloc32 with its default config (fastalloc32_create()),\n"
         "                   lua_newstate(fastalloc32_lua_alloc, mm)\n"
         "  --alloc system   realloc/free of the process (glibc, or whatever malloc is\n"
         "                   put in with LD_PRELOAD)\n"
         "  --preset NAME    with --alloc fa32: fastalloc32_config_preset's NAME instead\n"
         "                   of the default (default, profiling, compact, original)\n"
         "  --no-huge-pages  with --alloc fa32: the config's huge_pages 0 (no class asks\n"
         "                   for huge pages), on top of the default or the preset\n"
         "  --repeat N       run the script N times, each in a fresh state and allocator\n"
         "                   (default 1); every run must return the same checksum\n"
         "  --stats          with --alloc fa32: after each run, print fastalloc32's\n"
         "                   statistics to stderr\n"
         "  --max-mem BYTES  refuse allocations beyond BYTES live bytes of Lua memory\n"
         "  --expect-malloc LIBRARY\n"
         "                   with --alloc system: fail (exit 1) unless the process's\n"
         "                   malloc and free are LIBRARY's (a path or a soname), so a\n"
         "                   LD_PRELOAD that did not take is not measured as it\n"
         "The script gets ARG... as its chunk arguments (...) and returns a checksum.\n"
         "Prints the checksum and the CPU seconds of a run, from creating the\n"
         "allocator and the state to lua_close, the script's loading included (with\n"
         "--repeat: the mean, and every run's as cpu_seconds_each), and how far the\n"
         "runs raised the process's peak resident set (VmHWM) above its resident set\n"
         "at the start (VmRSS), as peak_rss_growth_bytes.\n"
         "Exit status: 0 ok, 1 the script failed (missing, Lua error, out of memory),\n"
         "2 bad usage.\n";
}

const char* alloc_name(AllocKind kind) {
  return kind == AllocKind::Fa32 ? "fa32" : "system";
}

ParseResult parse_options(const std::vector<std::string>& args) {
  ParseResult result;
  Options o;
  bool have_alloc = false;
  std::size_t i = 0;
  // Options come first; the first argument that is not one is the script.
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      result.help = true;
      return result;
    }
    if (a == "--stats") {
      o.stats = true;
      continue;
    }
    if (a == "--no-huge-pages") {
      o.no_huge_pages = true;
      continue;
    }
    if (a == "--alloc" || a == "--repeat" || a == "--max-mem" || a == "--preset" || a == "--expect-malloc") {
      if (i + 1 >= args.size()) {
        result.error = a + " needs a value";
        return result;
      }
      const std::string& v = args[++i];
      if (a == "--alloc") {
        if (v == "fa32") {
          o.alloc = AllocKind::Fa32;
        } else if (v == "system") {
          o.alloc = AllocKind::System;
        } else {
          result.error = "unknown allocator '" + v + "' (fa32 or system)";
          return result;
        }
        have_alloc = true;
      } else if (a == "--preset") {
        fastalloc32_config c;
        if (fastalloc32_config_preset(&c, v.c_str()) != FASTALLOC32_OK) {
          std::string known;
          for (unsigned p = 0; const char* name = fastalloc32_preset_name(p); ++p)
            known += std::string(p == 0 ? "" : ", ") + name;
          result.error = "unknown preset '" + v + "' (known: " + known + ")";
          return result;
        }
        o.preset = v;
      } else if (a == "--expect-malloc") {
        if (v.empty()) {
          result.error = "--expect-malloc needs a library";
          return result;
        }
        o.expect_malloc = v;
      } else if (a == "--repeat") {
        auto n = parse_count(v, 1, 1000000);
        if (!n) {
          result.error = "--repeat needs a whole number from 1 to 1000000, not '" + v + "'";
          return result;
        }
        o.repeat = static_cast<int>(*n);
      } else {
        auto n = parse_count(v, 1, SIZE_MAX);
        if (!n) {
          result.error = "--max-mem needs a positive number of bytes, not '" + v + "'";
          return result;
        }
        o.max_mem = static_cast<std::size_t>(*n);
      }
      continue;
    }
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() > 1 && a[0] == '-') {
      result.error = "unknown option '" + a + "'";
      return result;
    }
    break;
  }
  if (!have_alloc) {
    result.error = "--alloc fa32|system is required";
    return result;
  }
  if (!o.preset.empty() && o.alloc != AllocKind::Fa32) {
    result.error = "--preset is fastalloc32's: it needs --alloc fa32";
    return result;
  }
  if (o.no_huge_pages && o.alloc != AllocKind::Fa32) {
    result.error = "--no-huge-pages is fastalloc32's: it needs --alloc fa32";
    return result;
  }
  if (o.stats && o.alloc != AllocKind::Fa32) {
    result.error = "--stats prints fastalloc32's statistics: it needs --alloc fa32";
    return result;
  }
  if (!o.expect_malloc.empty() && o.alloc != AllocKind::System) {
    result.error = "--expect-malloc checks the process's malloc: it needs --alloc system";
    return result;
  }
  if (i >= args.size()) {
    result.error = "no script given";
    return result;
  }
  o.script = args[i];
  o.script_args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  result.options = std::move(o);
  return result;
}

}  // namespace fa32::lua_host
