// fa32 validate FILE...: reads each trace and checks its meaning.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct ValidateOptions {
  std::vector<std::string> files;
  std::uint64_t max_errors = 10;  // error lines printed per file
  std::uint64_t max_size = std::uint64_t{1} << 40;
  bool json = false;
};

Command setup_validate(CLI::App& app);
int run_validate(const ValidateOptions& options);

}  // namespace fa32::app
