// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/commands.hpp"

#include <CLI/CLI.hpp>

#include "fa32/app/cmd_bench.hpp"

namespace fa32::app {

std::vector<Command> register_commands(CLI::App& app) {
  std::vector<Command> commands;
  // One line per subcommand; each setup_x is declared in fa32/app/cmd_x.hpp.
  commands.push_back(setup_bench(app));
  commands.push_back(setup_bench_worker(app));  // hidden
  return commands;
}

}  // namespace fa32::app
