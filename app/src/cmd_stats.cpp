// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_stats.hpp"

#include <CLI/CLI.hpp>
#include <memory>

namespace fa32::app {

Command setup_stats(CLI::App& app) {
  auto options = std::make_shared<StatsOptions>();
  CLI::App* sub = app.add_subcommand(
      "stats", "Replay traces and print the report for CI (JSON by default), checking gates");
  sub->footer(
      "Gates: leaks fail by default (--allow-leaks), --min-pool-hit-rate, --max-fallback-rate, "
      "--max-overhead.\n"
      "Exit codes: 0 every gate passed; 1 a gate failed (the report's \"gates\" says which) or --verify\n"
      "found a corruption; 2 bad input or usage (unreadable or invalid trace, bad option value).");
  add_replay_cli_options(*sub, options->common, true);
  return {sub, [options] { return run_stats(*options); }};
}

int run_stats(const StatsOptions& options) {
  return run_replay_cli(options.common, true);
}

}  // namespace fa32::app
