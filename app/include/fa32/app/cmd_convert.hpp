// fa32 convert IN OUT: any trace format to any other, streaming, lossless.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct ConvertOptions {
  std::string input;      // "-" = standard input
  std::string output;     // "-" = standard output
  std::string to;         // json | jsonl | binary; empty: from OUT's extension
  bool renumber = false;  // give the allocations dense, recycled ids (renumber_ids.hpp)
};

Command setup_convert(CLI::App& app);
int run_convert(const ConvertOptions& options);

}  // namespace fa32::app
