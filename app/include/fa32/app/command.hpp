// How a subcommand plugs into the CLI: each lives in its own file with an
// options struct, `Command setup_x(CLI::App&)` and `int run_x(const XOptions&)`.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace fa32::app {

struct Command {
  CLI::App* app = nullptr;   // the subcommand, owned by the parent App
  std::function<int()> run;  // runs it after parsing; returns an ExitCode
};

}  // namespace fa32::app
