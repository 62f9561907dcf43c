// `fa32 tune TRACE...`: the fastalloc32 configuration that suits the traces
// best, measured, with the file and the code to use it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct TuneOptions {
  std::vector<std::string> traces;
  std::string output;  // -o: the recommended config as a JSON config file
  std::string objective = "balanced";
  double budget = 60;
  std::uint64_t seed = 1;
  double holdout = 0.3;
  std::string format = "text";
  std::string memory_limit;
};

Command setup_tune(CLI::App& app);
int run_tune(const TuneOptions& options);

}  // namespace fa32::app
