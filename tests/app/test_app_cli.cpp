// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

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
