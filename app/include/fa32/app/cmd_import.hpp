// `fa32 import --from mtrace|logalloc FILE [-o OUT]`
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct ImportOptions {
  std::string from;          // "mtrace" or "logalloc"
  std::string input;         // the log, "-" = standard input
  std::string output = "-";  // the trace, "-" = standard output
  std::string format;        // output format; empty = from the extension, else binary
  std::uint64_t pid = 0;     // logalloc: the process to import (0 = the first)
};

Command setup_import(CLI::App& parent);
int run_import(const ImportOptions& options);

}  // namespace fa32::app
