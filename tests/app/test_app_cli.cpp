// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fa32/app/cli.hpp"

namespace {
int run_args(std::vector<std::string> args) {
  args.insert(args.begin(), "fa32");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return fa32::app::run(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("an unknown subcommand is a usage error") {
  CHECK(run_args({"no-such-command"}) == 2);
}
TEST_CASE("--help succeeds") {
  CHECK(run_args({"--help"}) == 0);
}

TEST_CASE("an empty --memory-limit is a usage error, not the default") {
  // "" read as "not given": --memory-limit "" (an unset variable in a
  // script) replayed under half the physical memory without a word.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("test_app_cli-" + std::to_string(getpid()) + ".jsonl"))
          .string();
  std::ofstream(path) << "{\"op\":\"malloc\",\"id\":0,\"size\":8}\n{\"op\":\"free\",\"id\":0}\n";
  CHECK(run_args({"replay", path, "--memory-limit", "1G", "-o", "/dev/null"}) == 0);
  CHECK(run_args({"replay", path, "--memory-limit", "", "-o", "/dev/null"}) == 2);
  CHECK(run_args({"stats", path, "--memory-limit", "", "-o", "/dev/null"}) == 2);
  std::remove(path.c_str());
}
