// One vocabulary: a key set as a flag, as a fa32: spec key and as a config
// file key gives the same fastalloc32 config.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/cli.hpp"
#include "fa32/app/replay/config_keys.hpp"

using namespace fa32::app::replay;
using fa32::app::InputError;

namespace {

// A value for each kind that differs from the default config's.
std::string sample_value(const ConfigKey& k) {
  switch (k.kind) {
    case KeyKind::size:
      return k.name == "block-size" ? "80" : k.name == "align" ? "32" : "3M";
    case KeyKind::sizes:
      return "24,40,72";
    case KeyKind::count:
      return "7";
    case KeyKind::toggle:
      return "true";
    default:
      return "original";
  }
}

fastalloc32_config via_flags(const std::vector<std::string>& args) {
  CLI::App app;
  Fa32Flags f;
  add_config_options(app, f);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  return make_fa32_settings(f).config;
}

fastalloc32_config via_file(const std::string& body) {
  // Unique to the process: ctest runs this file's test cases side by side.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("test_app_config_keys-" + std::to_string(getpid()) + ".json"))
                               .string();
  {
    std::ofstream out(path);
    out << body;
  }
  Fa32Flags f;
  f.config_file = path;
  const fastalloc32_config c = make_fa32_settings(f).config;
  std::remove(path.c_str());
  return c;
}

bool same(const fastalloc32_config& a, const fastalloc32_config& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("every config key means the same as a flag, a spec key and a file key") {
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  int checked = 0;
  for (const ConfigKey& k : config_keys()) {
    if (k.name == "config") continue;      // a file cannot name another file
    if (k.name == "pool-limit") continue;  // checked with grow below: they exclude each other
    CAPTURE(k.name);
    const std::string value = sample_value(k);
    const bool toggle = k.kind == KeyKind::toggle;
    // huge-pages is the one toggle on by default: it is turned off.
    const bool off = k.name == "huge-pages";
    const std::string toggled = (off ? "no-" : "") + std::string(k.name);
    const fastalloc32_config flag =
        via_flags(toggle ? std::vector<std::string>{"--" + toggled}
                         : std::vector<std::string>{"--" + std::string(k.name), value});
    const fastalloc32_config spec =
        make_fa32_settings(
            fa32::app::bench::parse_fa32_spec(toggle ? toggled : std::string(k.name) + "=" + value))
            .config;
    std::string snake(k.name);
    for (char& ch : snake)
      if (ch == '-') ch = '_';
    // In JSON a count is a number; sizes may be strings.
    const std::string json_value = toggle                     ? (off ? "false" : "true")
                                   : k.kind == KeyKind::sizes ? "[24, 40, 72]"
                                   : k.kind == KeyKind::count ? value
                                                              : "\"" + value + "\"";
    const fastalloc32_config file = via_file("{\"" + snake + "\": " + json_value + "}");
    const fastalloc32_config file_dashed = via_file("{\"" + std::string(k.name) + "\": " + json_value + "}");
    CHECK_FALSE(same(flag, library));  // the key changed something
    CHECK(same(flag, spec));
    CHECK(same(flag, file));
    CHECK(same(flag, file_dashed));
    ++checked;
  }
  CHECK(checked == static_cast<int>(config_keys().size()) - 2);
  const fastalloc32_config limit = via_flags({"--pool-limit", "3M"});
  CHECK(limit.pool_limit == 3u << 20);
  CHECK(same(limit, make_fa32_settings(fa32::app::bench::parse_fa32_spec("pool-limit=3M")).config));
  CHECK(same(limit, via_file(R"({"pool_limit": "3M"})")));
}

TEST_CASE("toggles turn off by every route, and on and off at once is an error") {
  Fa32Flags f;
  f.preset = "profiling";
  const fastalloc32_config off_spec =
      make_fa32_settings(fa32::app::bench::parse_fa32_spec("preset=profiling:no-peaks")).config;
  CHECK(off_spec.track_peaks == 0);
  CHECK(same(off_spec, via_flags({"--preset", "profiling", "--no-peaks"})));
  CHECK(same(off_spec, via_file(R"({"preset": "profiling", "peaks": false})")));
  CHECK_THROWS_AS(via_flags({"--peaks", "--no-peaks"}), CLI::ValidationError);
  // Both given is an error however often each is: the counts do not net out.
  CHECK_THROWS_WITH_AS(via_flags({"--peaks", "--no-peaks", "--peaks"}), doctest::Contains("both on and off"),
                       CLI::ValidationError);
  CHECK_THROWS_AS(via_flags({"--no-grow", "--grow", "--no-grow"}), CLI::ValidationError);
  CHECK(via_flags({"--peaks", "--peaks"}).track_peaks == 1);
  CHECK(via_flags({"--no-peaks", "--no-peaks"}).track_peaks == 0);
  CHECK_THROWS_WITH_AS(via_file(R"({"peaks": 1})"), doctest::Contains("expected true or false"), InputError);
  CHECK_THROWS_WITH_AS(via_file(R"({"config": "other.json"})"), doctest::Contains("cannot name another"),
                       InputError);
  CHECK_THROWS_WITH_AS(via_file(R"({"pool_size": "1M", "pool-size": "2M"})"),
                       doctest::Contains("given twice"), InputError);
}

TEST_CASE("a toggle flag's value is read as a file's or a spec's, not ignored") {
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  // --trim-pools=false turned trim-pools on, --peaks=false kept the peaks.
  CHECK(same(via_flags({"--trim-pools=false"}), library));
  CHECK(same(via_flags({"--preset", "profiling", "--peaks=false"}), library));
  CHECK(same(via_flags({"--preset", "profiling", "--peaks=false"}), via_file(R"({"peaks": false})")));
  CHECK(same(via_flags({"--grow=false"}), via_flags({"--no-grow"})));
  CHECK(same(via_flags({"--secure-zero=true"}), via_flags({"--secure-zero"})));
  // A value that is neither was an uncaught std::invalid_argument: the program aborted.
  CHECK_THROWS_WITH_AS(via_flags({"--peaks=banana"}), doctest::Contains("expected true or false"),
                       CLI::ValidationError);
  CHECK_THROWS_AS(via_flags({"--peaks=no"}), CLI::ValidationError);
  CHECK_THROWS_WITH_AS(via_flags({"--no-peaks=false"}), doctest::Contains("takes no value"),
                       CLI::ValidationError);
  // On and off at once by a value is an error too; the counts netted out to on.
  CHECK_THROWS_WITH_AS(via_flags({"--peaks", "--peaks=false"}), doctest::Contains("both on and off"),
                       CLI::ValidationError);
}

TEST_CASE("the compact preset is the default with trim-pools, by every route") {
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  const fastalloc32_config compact = via_flags({"--preset", "compact"});
  CHECK(compact.trim_pools == 1);
  CHECK(same(compact, via_flags({"--trim-pools"})));
  CHECK(same(compact, make_fa32_settings(fa32::app::bench::parse_fa32_spec("preset=compact")).config));
  CHECK(same(compact, via_file(R"({"preset": "compact"})")));
  CHECK(same(library, via_flags({"--preset", "compact", "--no-trim-pools"})));
}

TEST_CASE("--no-grow stops the pools growing, by every route") {
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  REQUIRE(library.pool_limit > library.pool_size);  // the default grows: --no-grow must change it
  const fastalloc32_config no_grow = via_flags({"--no-grow"});
  CHECK(no_grow.pool_limit == 0);
  CHECK(same(no_grow, make_fa32_settings(fa32::app::bench::parse_fa32_spec("no-grow")).config));
  CHECK(same(no_grow, via_file(R"({"grow": false})")));
  CHECK_THROWS_WITH_AS(via_flags({"--no-grow", "--pool-limit", "4M"}), doctest::Contains("give one"),
                       InputError);
}

TEST_CASE("every toggle's off route turns off what its preset turned on") {
  // Each toggle is on in some start: off must then differ from on.
  for (const ConfigKey& k : config_keys()) {
    if (k.kind != KeyKind::toggle) continue;
    CAPTURE(k.name);
    const std::string name(k.name);
    const fastalloc32_config on = via_flags({"--" + name});
    const fastalloc32_config off = via_flags({"--no-" + name});
    CHECK_FALSE(same(on, off));
  }
}

TEST_CASE("an empty value is an error by every route, not the preset's value kept") {
  CHECK_THROWS(via_flags({"--classes", ""}));
  CHECK_THROWS(via_flags({"--pool-size", ""}));
  CHECK_THROWS_WITH_AS(via_file(R"({"classes": []})"), doctest::Contains("empty"), InputError);
  CHECK_THROWS_WITH_AS(via_file(R"({"pool_size": ""})"), doctest::Contains("empty"), InputError);
  CHECK_THROWS_WITH(make_fa32_settings(fa32::app::bench::parse_fa32_spec("cache=")),
                    doctest::Contains("cache needs a value"));
}
