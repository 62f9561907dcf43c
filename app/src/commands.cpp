// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/commands.hpp"

#include <CLI/CLI.hpp>

#include "fa32/app/cmd_bench.hpp"
#include "fa32/app/cmd_convert.hpp"
#include "fa32/app/cmd_diff.hpp"
#include "fa32/app/cmd_gen.hpp"
#include "fa32/app/cmd_import.hpp"
#include "fa32/app/cmd_record.hpp"
#include "fa32/app/cmd_replay.hpp"
#include "fa32/app/cmd_stats.hpp"
#include "fa32/app/cmd_tune.hpp"
#include "fa32/app/cmd_validate.hpp"

namespace fa32::app {

std::vector<Command> register_commands(CLI::App& app) {
  std::vector<Command> commands;
  // One line per subcommand; each setup_x is declared in fa32/app/cmd_x.hpp.
  commands.push_back(setup_replay(app));
  commands.push_back(setup_stats(app));
  commands.push_back(setup_validate(app));
  commands.push_back(setup_convert(app));
  commands.push_back(setup_gen(app));
  commands.push_back(setup_record(app));
  commands.push_back(setup_import(app));
  commands.push_back(setup_bench(app));
  commands.push_back(setup_tune(app));
  commands.push_back(setup_diff(app));
  commands.push_back(setup_bench_worker(app));  // hidden
  return commands;
}

}  // namespace fa32::app
