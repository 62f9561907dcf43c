// Which allocators a benchmark compares, from the command line.
//
//   fa32                         fastalloc32 with the library's default config
//   fa32:classes=16,32,64:pool-size=1M  fastalloc32 with these settings
//   NAME=fa32:...                the same, named NAME in the report
//   glibc | system               the process's own malloc
//   jemalloc | mimalloc | tcmalloc   the Debian package's library, by LD_PRELOAD
//   NAME=/path/to/libfoo.so      any other malloc replacement, by LD_PRELOAD
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fa32::app::bench {

enum class AllocatorKind {
  fastalloc32,  // in-process fastalloc32 manager, config in `config`
  system,       // the child's own malloc (glibc), nothing preloaded
  preload,      // the child's malloc replaced by LD_PRELOAD of `path`
};

struct AllocatorSpec {
  std::string name;  // as shown in the report: "fa32", "glibc", "jemalloc", ...
  AllocatorKind kind = AllocatorKind::system;
  std::string config;  // fastalloc32: "classes=...:pool-size=..." ("": the library's default)
  std::string path;    // preload: the shared library
};

// Where Debian's packages put the libraries (libjemalloc2, libmimalloc2.0,
// libtcmalloc-minimal4). Relative names are also tried through the usual
// library directories.
struct KnownLibrary {
  std::string_view name;
  std::string_view file;  // soname
};
inline constexpr KnownLibrary known_libraries[] = {
    {"jemalloc", "libjemalloc.so.2"},
    {"mimalloc", "libmimalloc.so.2"},
    {"tcmalloc", "libtcmalloc_minimal.so.4"},
};

// Parses one -a/--allocator spec. Throws InputError for a malformed one
// (unknown name, bad NAME=..., empty name).
AllocatorSpec parse_allocator_spec(std::string_view text);
// --fa32 NAME=CONFIG
AllocatorSpec parse_fa32_option(std::string_view text);
// --preload NAME=PATH
AllocatorSpec parse_preload_option(std::string_view text);

// fa32, glibc, then the three known libraries.
std::vector<AllocatorSpec> default_allocators();

// The library file for a known name found on this machine, or "" if absent.
std::string find_known_library(std::string_view soname);

// Drops the allocators that cannot run here, appending one line per dropped
// allocator to notes: preloads whose file does not exist (or a known library
// that is not installed), and every preload when this binary is built with
// AddressSanitizer (a preloaded malloc cannot replace ASan's). Resolves the
// paths of known libraries. Throws InputError for two allocators with the
// same name.
std::vector<AllocatorSpec> resolve_allocators(std::vector<AllocatorSpec> specs,
                                              std::vector<std::string>& notes);

// True when this binary was built with AddressSanitizer.
bool built_with_asan();

std::string_view kind_name(AllocatorKind kind);

}  // namespace fa32::app::bench
