// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_replay.hpp"

#include <CLI/CLI.hpp>
#include <memory>

namespace fa32::app {

Command setup_replay(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* sub = app.add_subcommand(
      "replay",
      "Replay traces through fastalloc32 (or the system malloc) and print a summary, leaks included");
  sub->footer(
      "Exit codes: 0 ok (leaks are reported, not failed, unless --fail-on-leak); 1 --verify found a "
      "corruption\n"
      "or a gate given on the command line failed; 2 bad input or usage (unreadable or invalid trace).");
  add_replay_cli_options(*sub, options->common, false);
  return {sub, [options] { return run_replay(*options); }};
}

int run_replay(const ReplayOptions& options) {
  return run_replay_cli(options.common, false);
}

}  // namespace fa32::app
