// `fa32 stats TRACE...`: the replay report for CI, with gates.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fa32/app/command.hpp"
#include "fa32/app/replay_cli.hpp"

namespace fa32::app {

struct StatsOptions {
  ReplayCliOptions common;  // JSON report; leaks fail unless --allow-leaks
};

Command setup_stats(CLI::App& app);
int run_stats(const StatsOptions& options);

}  // namespace fa32::app
