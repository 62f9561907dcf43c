// What `fa32 replay` and `fa32 stats` share: the options that say how to
// replay, which gates to apply and how to print, and the run itself.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/replay/allocator_config.hpp"

namespace CLI {
class App;
}

namespace fa32::app {

struct ReplayCliOptions {
  std::vector<std::string> traces;
  std::string allocator = "fastalloc32";
  replay::Fa32Flags fa32;
  std::string touch = "first";
  std::string memory_limit;  // --memory-limit SIZE|none; "": the default (memory_limit.hpp)
  bool verify = false;
  bool lenient = false;
  bool preload = false;
  std::uint64_t snapshot_every = 0;
  std::uint64_t leak_limit = 10;
  std::string format = "text";
  std::string output = "-";
  // Gates: unset, or a non-negative number (CLI11 checks it).
  bool fail_on_leak = false;
  bool allow_leaks = false;
  std::optional<double> min_pool_hit_rate;
  std::optional<double> max_fallback_rate;
  std::optional<double> max_overhead;
};

// Adds every shared option to sub. stats_defaults: --format json and
// --fail-on-leak by default.
void add_replay_cli_options(CLI::App& sub, ReplayCliOptions& options, bool stats_defaults);

// Replays every trace, prints the reports, returns the exit code: 0 pass,
// 1 a gate or --verify failed, 2 bad input. leak_gate_default: whether
// leaks fail the run unless --allow-leaks.
int run_replay_cli(const ReplayCliOptions& options, bool leak_gate_default);

}  // namespace fa32::app
