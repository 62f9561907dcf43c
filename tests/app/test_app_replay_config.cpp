// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "fa32/app/cli.hpp"
#include "fa32/app/replay/allocator_config.hpp"

using namespace fa32::app::replay;
using fa32::app::InputError;

namespace {

// The InputError make_fa32_settings throws for these flags ("" if none).
std::string settings_error(const Fa32Flags& f) {
  try {
    make_fa32_settings(f);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sizes take K, M, G suffixes and reject junk") {
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("64K") == 65536u);
  CHECK(parse_size("2MiB") == 2u * 1024 * 1024);
  CHECK(parse_size("1G") == 1024u * 1024 * 1024);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("12Q"));
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("99999999999999999999"));
  CHECK_FALSE(parse_size("17179869184G"));
}

TEST_CASE("a size past 2^64 - 1 is too large, not malformed") {
  // Such sizes said "is not a size (e.g. 4096, 64K, 1M)", as if mistyped.
  CHECK(size_too_large("99999999999999999999"));
  CHECK(size_too_large("18446744073709551616"));
  CHECK(size_too_large("17179869184G"));
  CHECK(size_too_large("0017179869184g"));
  CHECK_FALSE(size_too_large("18446744073709551615"));
  CHECK_FALSE(size_too_large("17179869183G"));
  CHECK_FALSE(size_too_large("99999999999999999999Q"));
  CHECK_FALSE(size_too_large("9999999999999999999x9"));
  CHECK_FALSE(size_too_large("x"));
  CHECK_FALSE(size_too_large(""));
  Fa32Flags f;
  f.pool_size = "99999999999999999999";
  CHECK(settings_error(f) == "--pool-size: '99999999999999999999' is more than 18446744073709551615");
  f = {};
  f.classes = "16,17179869184G";
  CHECK(settings_error(f) == "--classes: '17179869184G' is more than 18446744073709551615");
  // In a config file the number is a JSON number, past 2^64 - 1 a double:
  // "expected a non-negative number or a size string".
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("test_app_replay_config-large-" + std::to_string(getpid()) + ".json"))
                               .string();
  f = {};
  f.config_file = path;
  std::ofstream(path) << R"({"pool_size": 99999999999999999999})";
  CHECK(settings_error(f) == path + ": \"pool_size\": the number is more than 18446744073709551615");
  std::ofstream(path) << R"({"classes": [16, 1e30]})";
  CHECK(settings_error(f) == path + ": \"classes\": the number is more than 18446744073709551615");
  std::ofstream(path) << R"({"cache": 99999999999999999999})";
  CHECK(settings_error(f) == path + ": \"cache\": the number is more than 4294967295");
  std::ofstream(path) << R"({"pool_size": "99999999999999999999"})";
  CHECK(settings_error(f) ==
        path + ": \"pool_size\": '99999999999999999999' is more than 18446744073709551615");
  std::remove(path.c_str());
}

TEST_CASE("a size with leading zeros is decimal, with a suffix or without") {
  // "0100K" was read as octal (64 KiB) where "0100" was 100 bytes, and
  // "048K" was not a size at all.
  CHECK(parse_size("0100") == 100u);
  CHECK(parse_size("0100K") == 100u * 1024);
  CHECK(parse_size("048K") == 48u * 1024);
  CHECK(parse_size("00") == 0u);
  CHECK(parse_size("0K") == 0u);
  CHECK(parse_size("000M") == 0u);
  CHECK_FALSE(parse_size("0x10"));
  CHECK_FALSE(parse_size("0x10K"));
  Fa32Flags f;
  f.classes = "16,032,048";
  f.pool_size = "0400K";
  const Fa32Settings s = make_fa32_settings(f);
  CHECK(s.config.class_count == 3);
  CHECK(s.config.block_sizes[1] == 32);
  CHECK(s.config.block_sizes[2] == 48);
  CHECK(s.config.pool_size == 400u * 1024);
}

TEST_CASE("flags set the fastalloc32 config") {
  Fa32Flags f;
  f.classes = "16,32,64,128";
  f.pool_size = "64K";
  f.cache = "8";
  f.align = "32";
  f.large_cache = "0";
  f.large_arena = "64M";
  f.mmap_threshold = "256K";
  const Fa32Settings s = make_fa32_settings(f);
  CHECK(s.config.class_count == 4);
  CHECK(s.config.block_sizes[3] == 128);
  CHECK(s.config.pool_size == 65536);
  CHECK(s.config.cache_capacity == 8);
  CHECK(s.config.alignment == 32);
  CHECK(s.config.large_cache_bytes == 0);
  CHECK(s.config.large_arena_size == 64 * 1024 * 1024);
  CHECK(s.config.mmap_threshold == 256 * 1024);
  CHECK(s.config.pool_limit == 64 * 1024 * 1024);  // the default's, kept
  CHECK(s.config.block_sizes[4] == 0);             // the default's fifth class is gone
  f.grow = true;
  CHECK(make_fa32_settings(f).config.pool_limit == std::uint64_t{1} << 30);
}

TEST_CASE("the preset is the base: profiling for replay and stats, default for bench") {
  fastalloc32_config library;
  fastalloc32_config_init(&library);
  const Fa32Flags none;
  const fastalloc32_config bench = make_fa32_settings(none).config;
  CHECK(std::memcmp(&bench, &library, sizeof library) == 0);
  fastalloc32_config replay = make_fa32_settings(none, profiling_preset).config;
  CHECK(replay.track_peaks == 1);
  replay.track_peaks = library.track_peaks;
  CHECK(std::memcmp(&replay, &library, sizeof library) == 0);

  Fa32Flags f;
  f.peaks = false;
  CHECK(make_fa32_settings(f, profiling_preset).config.track_peaks == 0);
  f = Fa32Flags{};
  f.preset = "original";
  f.cache = "16";
  const fastalloc32_config original = make_fa32_settings(f, profiling_preset).config;
  CHECK(original.class_count == 1);
  CHECK(original.pool_limit == 0);
  CHECK(original.cache_capacity == 16);
  f.preset = "fastest";
  CHECK_THROWS_WITH_AS(make_fa32_settings(f), doctest::Contains("unknown preset"), InputError);
}

TEST_CASE("the presets the CLI lists are the library's, and a wrong one's message names them all") {
  Fa32Flags f;
  REQUIRE(preset_names().size() == 4);
  for (const std::string& name : preset_names()) {
    fastalloc32_config c;
    CHECK_MESSAGE(fastalloc32_config_preset(&c, name.c_str()) == FASTALLOC32_OK, name);
    f.preset = name;
    CHECK_NOTHROW(make_fa32_settings(f));
  }
  f.preset = "fastest";
  CHECK_THROWS_WITH_AS(make_fa32_settings(f),
                       doctest::Contains("(known: default, profiling, compact, original)"), InputError);
}

TEST_CASE("a config file may name the preset it changes") {
  const std::string path = "test_app_replay_config_preset.json";
  {
    std::ofstream out(path);
    out << R"({"cache": 32, "preset": "original", "peaks": false})";
  }
  Fa32Flags f;
  f.config_file = path;
  const fastalloc32_config c = make_fa32_settings(f, profiling_preset).config;
  CHECK(c.class_count == 1);  // the preset applies first, whatever the key order
  CHECK(c.cache_capacity == 32);
  CHECK(c.track_peaks == 0);
  f.preset = "default";
  CHECK_THROWS_WITH_AS(make_fa32_settings(f), doctest::Contains("--preset is given too"), InputError);
  std::remove(path.c_str());
}

TEST_CASE("classes take FIRST-LAST/STEP ranges, and reports write them back that way") {
  Fa32Flags f;
  f.classes = "16-64/16,96,128-1K/128,2K";
  const fastalloc32_config& c = make_fa32_settings(f).config;
  const std::size_t want[] = {16, 32, 48, 64, 96, 128, 256, 384, 512, 640, 768, 896, 1024, 2048};
  REQUIRE(c.class_count == sizeof want / sizeof want[0]);
  for (std::size_t i = 0; i < c.class_count; ++i) CHECK(c.block_sizes[i] == want[i]);
  // Three or more equally spaced sizes make a range; 64 -> 96 -> 128 is not
  // one, since 128 starts the next run.
  CHECK(describe_classes(c) == "16-64/16,96,128-1024/128,2048");
  Fa32Flags again;
  again.classes = describe_classes(c);
  const fastalloc32_config& d = make_fa32_settings(again).config;
  CHECK(std::memcmp(d.block_sizes, c.block_sizes, sizeof c.block_sizes) == 0);

  // The default, written out, reads back as the default.
  fastalloc32_config def;
  fastalloc32_config_init(&def);
  CHECK(describe_classes(def) ==
        "16-256/16,288-512/32,576-1024/64,1152-2048/128,2304-4096/256,4608-8192/512,"
        "9216-16384/1024");
  again.classes = describe_classes(def);
  const fastalloc32_config& e = make_fa32_settings(again).config;
  CHECK(e.class_count == def.class_count);
  CHECK(std::memcmp(e.block_sizes, def.block_sizes, sizeof def.block_sizes) == 0);

  auto message = [](const std::string& classes) {
    Fa32Flags g;
    g.classes = classes;
    return settings_error(g);
  };
  CHECK(message("16-64").find("FIRST-LAST/STEP") != std::string::npos);
  CHECK(message("16-60/16").find("whole number of STEPs") != std::string::npos);
  CHECK(message("64-16/16").find("whole number of STEPs") != std::string::npos);
  CHECK(message("16-64/0").find("whole number of STEPs") != std::string::npos);
  CHECK(message("16-2000/16").find("more than 64 classes") != std::string::npos);
  CHECK(message("16-1024/16,2048").find("between 1 and 64 classes, got 65") != std::string::npos);
  CHECK(message("16-64/16,48").find("ascending") != std::string::npos);
  CHECK(message("x-64/16").find("is not a size") != std::string::npos);

  // A range that ends within a STEP of 2^64: the loop's size wrapped past
  // the end and the range never ended (fa32 replay hung, its memory
  // growing). It is two sizes, which fastalloc32 then rejects.
  Fa32Flags top;
  top.classes = "18446744073709551600-18446744073709551615/15";
  const fastalloc32_config& t = make_fa32_settings(top).config;
  REQUIRE(t.class_count == 2);
  CHECK(t.block_sizes[0] == 18446744073709551600u);
  CHECK(t.block_sizes[1] == 18446744073709551615u);
}

TEST_CASE("bad flag values are input errors that name the flag") {
  auto message = settings_error;
  Fa32Flags f;
  f.classes = "32,16";
  CHECK(message(f).find("ascending") != std::string::npos);
  f = {};
  f.classes = "16,,32";
  CHECK(message(f).find("--classes") != std::string::npos);
  f = {};
  f.pool_size = "lots";
  CHECK(message(f).find("--pool-size") != std::string::npos);
  f = {};
  f.block_size = "64";
  f.classes = "16";
  CHECK(message(f).find("--block-size") != std::string::npos);
  f = {};
  f.cache = "x";
  CHECK(message(f).find("--cache") != std::string::npos);
  f = {};
  f.config_file = "/nonexistent/fa32-config.json";
  CHECK(message(f).find("cannot open") != std::string::npos);
}

TEST_CASE("a JSON config file, overridden by flags") {
  // Unique to the process: ctest runs this file's test cases side by side.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("test_app_replay_config-" + std::to_string(getpid()) + ".json"))
                               .string();
  {
    std::ofstream out(path);
    out << R"({"classes": [16, 48], "pool_size": "128K", "cache": 4, "grow": true, "large_arena": 0})";
  }
  Fa32Flags f;
  f.config_file = path;
  Fa32Settings s = make_fa32_settings(f);
  CHECK(s.config.large_arena_size == 0);
  CHECK(s.config.class_count == 2);
  CHECK(s.config.block_sizes[1] == 48);
  CHECK(s.config.pool_size == 128 * 1024);
  CHECK(s.config.cache_capacity == 4);
  CHECK(s.config.pool_limit == std::uint64_t{1} << 30);
  f.cache = "9";
  CHECK(make_fa32_settings(f).config.cache_capacity == 9);
  {
    std::ofstream out(path);
    out << R"({"clases": [16]})";
  }
  CHECK_THROWS_WITH_AS(make_fa32_settings(f), doctest::Contains("unknown key"), InputError);
  {
    std::ofstream out(path);
    out << "{not json";
  }
  CHECK_THROWS_WITH_AS(make_fa32_settings(f), doctest::Contains("not valid JSON"), InputError);
  std::remove(path.c_str());
}

TEST_CASE("a config file's grow follows the pool size a flag gives, as --grow does") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fa32-grow-" + std::to_string(getpid()) + ".json")).string();
  {
    std::ofstream out(path);
    out << R"({"grow": true})";
  }
  Fa32Flags both;
  both.grow = true;
  both.pool_size = "2G";
  const fastalloc32_config want = make_fa32_settings(both).config;
  REQUIRE(want.pool_limit == want.pool_size);
  Fa32Flags f;
  f.config_file = path;
  f.pool_size = "2G";
  // The limit was 1 GiB, from the file's pool size: below the pool, refused.
  const fastalloc32_config got = make_fa32_settings(f).config;
  CHECK(got.pool_limit == want.pool_limit);
  CHECK(fastalloc32_config_problem(&got) == nullptr);
  // A flag that sets the limit itself still overrides the file's grow.
  f.pool_size = "1M";
  f.pool_limit = "8M";
  CHECK(make_fa32_settings(f).config.pool_limit == 8u << 20);
  std::remove(path.c_str());
}

TEST_CASE("a config file that gives a key twice with two values is an error, as flags and specs are") {
  // JSON parsers keep one copy of a duplicate key, and nlohmann keeps the
  // last: {"cache": 1, "cache": 2} ran with cache 2 without a word, where
  // "pool_size" and "pool-size" with two values were refused.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("test_app_replay_config-twice-" + std::to_string(getpid()) + ".json"))
                               .string();
  Fa32Flags f;
  f.config_file = path;
  const auto with = [&](const char* text) {
    std::ofstream(path) << text;
    return settings_error(f);
  };
  CHECK(with(R"({"cache": 1, "cache": 2})") == path + ": \"cache\": given twice; give one");
  CHECK(with(R"({"preset": "original", "preset": "compact"})") ==
        path + ": \"preset\": given twice; give one");
  CHECK(with(R"({"classes": [16, 32], "classes": [16, 48]})") ==
        path + ": \"classes\": given twice; give one");
  CHECK(with(R"({"peaks": true, "peaks": false})") == path + ": \"peaks\": given both on and off; give one");
  // The same value twice says one thing, as it does in a spec.
  CHECK(with(R"({"cache": 3, "cache": 3})").empty());
  CHECK(make_fa32_settings(f).config.cache_capacity == 3);
  // Keys inside a value are not the file's keys: only the top level counts.
  CHECK(with(R"({"cache": 3, "classes": [16, 32]})").empty());
  // A value nested a million deep is refused, not copied down the stack.
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  CHECK(with(("{\"cache\": " + deep + "}").c_str()) == path + ": \"cache\": expected a count");
  std::remove(path.c_str());
}

TEST_CASE("a config path that cannot be read names the file") {
  // A directory opens, and its first read throws from libstdc++'s filebuf:
  // the message was that exception's alone, "basic_filebuf::underflow error
  // reading the file: Is a directory", naming neither the file nor the config.
  Fa32Flags f;
  f.config_file = std::filesystem::temp_directory_path().string();
  const std::string error = settings_error(f);
  CHECK(error.rfind(f.config_file + ": cannot read the allocator config: ", 0) == 0);
  CHECK(error.find("Is a directory") != std::string::npos);
}
