// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/cli.hpp"
#include "fa32/app/replay/allocator_config.hpp"

using namespace fa32::app::bench;
using fa32::app::InputError;

TEST_CASE("allocator specs name fastalloc32 configs, glibc and preloads") {
  AllocatorSpec a = parse_allocator_spec("fa32");
  CHECK(a.name == "fa32");
  CHECK(a.kind == AllocatorKind::fastalloc32);
  CHECK(a.config.empty());  // the library's default

  AllocatorSpec b = parse_allocator_spec("fa32:classes=16,32,64,128");
  CHECK(b.kind == AllocatorKind::fastalloc32);
  CHECK(b.name == "fa32:classes=16,32,64,128");
  CHECK(b.config == "classes=16,32,64,128");

  AllocatorSpec c = parse_allocator_spec("small=fa32:classes=16,32:pool-size=64K");
  CHECK(c.name == "small");
  CHECK(c.config == "classes=16,32:pool-size=64K");

  CHECK(parse_allocator_spec("glibc").kind == AllocatorKind::system);
  CHECK(parse_allocator_spec("system").name == "glibc");

  AllocatorSpec j = parse_allocator_spec("jemalloc");
  CHECK(j.kind == AllocatorKind::preload);
  CHECK(j.path == "libjemalloc.so.2");

  AllocatorSpec h = parse_allocator_spec("hoard=/opt/lib/libhoard.so");
  CHECK(h.name == "hoard");
  CHECK(h.kind == AllocatorKind::preload);
  CHECK(h.path == "/opt/lib/libhoard.so");

  AllocatorSpec f = parse_fa32_option("big=classes=64,128,256:pool-size=4M");
  CHECK(f.name == "big");
  CHECK(f.config == "classes=64,128,256:pool-size=4M");
  AllocatorSpec p = parse_preload_option("x=/no/such.so");
  CHECK(p.name == "x");
  CHECK(p.path == "/no/such.so");
  // A known library by name, as -a je=jemalloc: it was looked up as a file
  // called "jemalloc" and skipped, "is its Debian package installed?".
  AllocatorSpec je = parse_preload_option("je=jemalloc");
  CHECK(je.name == "je");
  CHECK(je.path == "libjemalloc.so.2");
  CHECK(je.path == parse_allocator_spec("je=jemalloc").path);
}

TEST_CASE("malformed allocator specs are input errors") {
  CHECK_THROWS_AS(parse_allocator_spec("tcmallocc"), InputError);
  CHECK_THROWS_AS(parse_allocator_spec("fa32:nosuchkey=1"), InputError);
  CHECK_THROWS_AS(parse_allocator_spec("fa32:classes=abc"), InputError);
  CHECK_THROWS_AS(parse_fa32_option("classes=16"),
                  InputError);  // "classes" is taken as the name, "16" as config
  CHECK_THROWS_AS(parse_fa32_option("noequals"), InputError);
  CHECK_THROWS_AS(parse_preload_option("/just/a/path.so"), InputError);
  CHECK_THROWS_AS(parse_preload_option("name="), InputError);
  CHECK_THROWS_AS(parse_fa32_spec("cache=many"), InputError);
  CHECK_THROWS_AS(parse_fa32_spec("pool"), InputError);
  // Well formed, but a config fastalloc32 rejects: refused before any run.
  CHECK_THROWS_WITH_AS(parse_allocator_spec("fa32:align=3"), doctest::Contains("power of two"), InputError);
  CHECK_THROWS_WITH_AS(parse_allocator_spec("x=fa32:block-size=70000"), doctest::Contains("65520"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_option("big=pool-size=4K"), doctest::Contains("largest block size"),
                       InputError);
}

TEST_CASE("a NAME= with odd characters is called a bad name, not an unknown allocator") {
  // "a b=fa32" was "unknown allocator 'a b=fa32'", though fa32 is known.
  const auto bad_name = doctest::Contains("allocator name 'a b': a name is one or more letters");
  CHECK_THROWS_WITH_AS(parse_allocator_spec("a b=fa32"), bad_name, InputError);
  CHECK_THROWS_WITH_AS(parse_allocator_spec("a b=glibc"), bad_name, InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_option("a b=cache=16"), bad_name, InputError);
  CHECK_THROWS_WITH_AS(parse_preload_option("a b=/x/lib.so"), bad_name, InputError);
  CHECK_THROWS_WITH_AS(parse_allocator_spec("=fa32"), doctest::Contains("allocator name ''"), InputError);
  // Specs whose '=' is not a NAME='s stay what they were.
  CHECK(parse_allocator_spec("fa32:cache=16").name == "fa32:cache=16");
  CHECK(parse_allocator_spec("/opt/a=b/lib.so").path == "/opt/a=b/lib.so");
  CHECK_THROWS_WITH_AS(parse_allocator_spec("tcmallocc"), doctest::Contains("unknown allocator"), InputError);
}

TEST_CASE("fastalloc32 spec strings set the replay flags") {
  auto f = parse_fa32_spec(
      "classes=16,32,64:pool-size=1M:pool-limit=8M:cache=64:large-cache=2M:large-arena=0:mmap-threshold=512K:"
      "secure-zero");
  CHECK(f.classes == "16,32,64");
  CHECK(f.pool_size == "1M");
  CHECK(f.pool_limit == "8M");
  CHECK(f.cache == "64");
  CHECK(f.large_cache == "2M");
  CHECK(f.large_arena == "0");
  CHECK(f.mmap_threshold == "512K");
  CHECK(f.secure_zero == true);
  CHECK_FALSE(f.peaks.has_value());
  CHECK(parse_fa32_spec("no-peaks").peaks == false);
  CHECK(parse_fa32_spec("peaks").peaks == true);
  CHECK(parse_fa32_spec("peaks=false").peaks == false);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("peaks:no-peaks"), doctest::Contains("both on and off"), InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("cache=4:cache=8"), doctest::Contains("given twice"), InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("pool=1M"), doctest::Contains("unknown key 'pool'"), InputError);
  CHECK(parse_fa32_spec("preset=original").preset == "original");
  CHECK(parse_fa32_spec("").classes.empty());
}

TEST_CASE("a bad value in a spec is named by the spec and its key, not by replay's flag") {
  // They said "--cache: 'abc' is not a count": a flag the user never wrote.
  CHECK_THROWS_WITH_AS(parse_fa32_spec("cache=abc"),
                       "fastalloc32 config 'cache=abc': cache: 'abc' is not a count", InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("preset=fast"),
                       doctest::Contains("fastalloc32 config 'preset=fast': preset: unknown preset"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("block-size=16:classes=16"),
                       "fastalloc32 config 'block-size=16:classes=16': block-size and classes both set the "
                       "size classes; give one",
                       InputError);
}

TEST_CASE("every fastalloc32 spec starts from the library's default config") {
  using fa32::app::replay::make_fa32_settings;
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  const fastalloc32_config plain = make_fa32_settings(parse_fa32_spec("")).config;
  CHECK(std::memcmp(&plain, &library, sizeof library) == 0);
  // One key changes one field, nothing else.
  fastalloc32_config peaks = make_fa32_settings(parse_fa32_spec("peaks")).config;
  CHECK(peaks.track_peaks == 1);
  peaks.track_peaks = library.track_peaks;
  CHECK(std::memcmp(&peaks, &library, sizeof library) == 0);
  const fastalloc32_config cache = make_fa32_settings(parse_fa32_spec("cache=64")).config;
  CHECK(cache.cache_capacity == 64);
  CHECK(cache.class_count == library.class_count);
  CHECK(cache.pool_limit == library.pool_limit);
  CHECK(make_fa32_settings(parse_fa32_spec("no-peaks")).config.track_peaks == 0);
  // A preset replaces the base; later keys change it.
  const fastalloc32_config original = make_fa32_settings(parse_fa32_spec("preset=original:cache=8")).config;
  CHECK(original.class_count == 1);
  CHECK(original.block_sizes[0] == 128);
  CHECK(original.cache_capacity == 8);
  CHECK_THROWS_WITH_AS(parse_fa32_spec("preset=fast"), doctest::Contains("unknown preset"), InputError);
  CHECK_THROWS_AS(parse_fa32_spec("peaks:no-peaks"), InputError);
}

TEST_CASE("a preload whose library does not exist is skipped with a note, not an error") {
  std::vector<std::string> notes;
  std::vector<AllocatorSpec> in{parse_allocator_spec("glibc"),
                                parse_preload_option("ghost=/no/such/libghost.so"),
                                parse_allocator_spec("fa32")};
  std::vector<AllocatorSpec> out = resolve_allocators(in, notes);
  REQUIRE(out.size() == 2);
  CHECK(out[0].name == "glibc");
  CHECK(out[1].name == "fa32");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("ghost") != std::string::npos);
  if (built_with_asan()) {
    CHECK(notes[0].find("AddressSanitizer") != std::string::npos);
  } else {
    CHECK(notes[0].find("/no/such/libghost.so not found") != std::string::npos);
  }
}

TEST_CASE("known libraries resolve to an installed file or are skipped") {
  std::vector<std::string> notes;
  std::vector<AllocatorSpec> out = resolve_allocators(default_allocators(), notes);
  std::size_t preloads = 0;
  for (const AllocatorSpec& s : out) {
    if (s.kind != AllocatorKind::preload) continue;
    ++preloads;
    CHECK(s.path.front() == '/');
    CHECK(find_known_library(s.path) == s.path);
  }
  // Every known library is either kept or explained.
  CHECK(preloads + notes.size() == std::size(known_libraries));
  if (built_with_asan()) CHECK(preloads == 0);
}

TEST_CASE("two allocators with one name are an input error") {
  std::vector<std::string> notes;
  std::vector<AllocatorSpec> in{parse_allocator_spec("fa32"), parse_allocator_spec("fa32")};
  CHECK_THROWS_AS(resolve_allocators(in, notes), InputError);
}
