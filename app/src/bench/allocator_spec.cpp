// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/allocator_spec.hpp"

#include <unistd.h>

#include <set>

#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/cli.hpp"
#include "fa32/app/replay/allocator_config.hpp"

namespace fa32::app::bench {
namespace {

// Debian's multiarch directory first, then the generic ones.
constexpr const char* kLibraryDirs[] = {
#if defined(__x86_64__)
    "/usr/lib/x86_64-linux-gnu/",
    "/lib/x86_64-linux-gnu/",
#elif defined(__aarch64__)
    "/usr/lib/aarch64-linux-gnu/",
    "/lib/aarch64-linux-gnu/",
#endif
    "/usr/lib/",
    "/usr/local/lib/",
    "/lib/",
};

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

AllocatorSpec fa32_spec(std::string name, std::string_view config) {
  // Reject a bad config now, not in every worker: the spec's syntax and
  // keys, then the rules fastalloc32 itself checks (align=3 passed the
  // first and failed only in the probe, after the other allocators ran).
  const replay::Fa32Settings settings = replay::make_fa32_settings(parse_fa32_spec(config));
  if (const char* problem = fastalloc32_config_problem(&settings.config))
    throw InputError("fastalloc32 config '" + std::string(config) + "': " + problem);
  return {std::move(name), AllocatorKind::fastalloc32, std::string(config), ""};
}

// "NAME=REST" -> {NAME, REST}; no '=' or a name with odd characters -> false.
bool split_name(std::string_view text, std::string_view& name, std::string_view& rest) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) return false;
  name = text.substr(0, eq);
  rest = text.substr(eq + 1);
  return valid_name(name);
}

// A NAME= that is not a valid name is named as such: "a b=fa32" was
// called an unknown allocator, and "--fa32 'a b=cache=16'" not NAME=CONFIG,
// though the allocator and the form were right.
[[noreturn]] void bad_name(std::string_view name) {
  throw InputError("allocator name '" + std::string(name) +
                   "': a name is one or more letters, digits, '-', '_', '.' or '+'");
}

AllocatorSpec unnamed_spec(std::string_view text, std::string_view original) {
  if (text == "fa32" || text == "fastalloc32") return fa32_spec("fa32", "");
  if (text.starts_with("fa32:")) return fa32_spec(std::string(original), text.substr(5));
  if (text == "glibc" || text == "system") return {"glibc", AllocatorKind::system, "", ""};
  for (const KnownLibrary& k : known_libraries) {
    if (text == k.name) return {std::string(k.name), AllocatorKind::preload, "", std::string(k.file)};
  }
  if (text.find('/') != std::string_view::npos) {
    return {std::string(text), AllocatorKind::preload, "", std::string(text)};
  }
  throw InputError("unknown allocator '" + std::string(original) +
                   "': expected fa32, fa32:CONFIG, glibc, jemalloc, mimalloc, tcmalloc, NAME=fa32:CONFIG or "
                   "NAME=/path/to/lib.so");
}

}  // namespace

std::string_view kind_name(AllocatorKind kind) {
  switch (kind) {
    case AllocatorKind::fastalloc32:
      return "fastalloc32";
    case AllocatorKind::system:
      return "system";
    case AllocatorKind::preload:
      return "preload";
  }
  return "?";
}

AllocatorSpec parse_allocator_spec(std::string_view text) {
  std::string_view name;
  std::string_view rest;
  // "fa32:classes=16,32" contains '=' but its name part has a ':'; only a
  // plain name before the first '=' names the allocator.
  if (split_name(text, name, rest) && text.substr(0, text.find('=')).find(':') == std::string_view::npos &&
      name != "fa32") {
    AllocatorSpec spec = unnamed_spec(rest, rest);
    spec.name = std::string(name);
    return spec;
  }
  // Not "fa32:KEY=V" nor a path holding '=': a NAME= with a bad name.
  if (const auto eq = text.find('='); eq != std::string_view::npos && !valid_name(text.substr(0, eq)) &&
                                      text.substr(0, eq).find_first_of(":/") == std::string_view::npos)
    bad_name(text.substr(0, eq));
  return unnamed_spec(text, text);
}

AllocatorSpec parse_fa32_option(std::string_view text) {
  std::string_view name;
  std::string_view config;
  if (!split_name(text, name, config)) {
    if (text.find('=') != std::string_view::npos) bad_name(name);
    throw InputError("--fa32 '" + std::string(text) +
                     "': expected NAME=CONFIG, e.g. small=classes=16,32,64:pool-size=1M");
  }
  return fa32_spec(std::string(name), config);
}

AllocatorSpec parse_preload_option(std::string_view text) {
  std::string_view name;
  std::string_view path;
  if (!split_name(text, name, path) && text.find('=') != std::string_view::npos) bad_name(name);
  if (!valid_name(name) || path.empty()) {
    throw InputError("--preload '" + std::string(text) +
                     "': expected NAME=PATH, e.g. hoard=/usr/lib/libhoard.so");
  }
  // A known library by its name, as -a NAME=jemalloc takes it: looked up
  // as a file called "jemalloc", it was skipped as "not found (is its
  // Debian package installed?)" with the package installed.
  for (const KnownLibrary& k : known_libraries) {
    if (path == k.name) return {std::string(name), AllocatorKind::preload, "", std::string(k.file)};
  }
  return {std::string(name), AllocatorKind::preload, "", std::string(path)};
}

std::vector<AllocatorSpec> default_allocators() {
  std::vector<AllocatorSpec> all{parse_allocator_spec("fa32"), parse_allocator_spec("glibc")};
  for (const KnownLibrary& k : known_libraries) all.push_back(parse_allocator_spec(k.name));
  return all;
}

std::string find_known_library(std::string_view soname) {
  if (soname.find('/') != std::string_view::npos) {
    std::string p(soname);
    return access(p.c_str(), R_OK) == 0 ? p : "";
  }
  for (const char* dir : kLibraryDirs) {
    std::string p = std::string(dir) + std::string(soname);
    if (access(p.c_str(), R_OK) == 0) return p;
  }
  return "";
}

bool built_with_asan() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

std::vector<AllocatorSpec> resolve_allocators(std::vector<AllocatorSpec> specs,
                                              std::vector<std::string>& notes) {
  std::vector<AllocatorSpec> out;
  std::set<std::string> names;
  for (AllocatorSpec& s : specs) {
    if (!names.insert(s.name).second) {
      throw InputError("two allocators are named '" + s.name + "'; give each its own NAME=");
    }
    if (s.kind == AllocatorKind::preload) {
      if (built_with_asan()) {
        notes.push_back("skipped " + s.name + ": this fa32 is built with AddressSanitizer, whose malloc a " +
                        "preloaded library cannot replace");
        continue;
      }
      const std::string found = find_known_library(s.path);
      if (found.empty()) {
        notes.push_back("skipped " + s.name + ": " + s.path + " not found" +
                        (s.path.find('/') == std::string::npos ? " (is its Debian package installed?)" : ""));
        continue;
      }
      s.path = found;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fa32::app::bench
