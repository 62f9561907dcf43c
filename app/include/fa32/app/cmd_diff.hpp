// `fa32 diff BASE NEW`: compares two JSON reports (replay/stats, or bench).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct DiffOptions {
  std::string base;
  std::string next;
  bool all = false;
  std::string format = "text";
  std::string output = "-";
  std::vector<std::string> max_regression;  // FIGURE=PCT
  std::vector<std::string> ignore;          // figures or sections left out
};

Command setup_diff(CLI::App& app);
int run_diff(const DiffOptions& options);

}  // namespace fa32::app
