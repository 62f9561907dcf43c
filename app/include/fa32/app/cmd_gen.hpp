// fa32 gen [PROFILE]: deterministic synthetic traces, streamed to any format.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fa32/app/command.hpp"
#include "fa32/traces/generate.hpp"

namespace fa32::app {

struct GenCmdOptions {
  traces::GenOptions gen;
  std::string sizes;  // spec, empty = the profile's
  std::string output = "-";
  std::string to;  // empty: from the output extension (stdout: jsonl)
  bool list = false;
  bool no_free = false;
};

Command setup_gen(CLI::App& app);
int run_gen(const GenCmdOptions& options);

}  // namespace fa32::app
