// `fa32 record [-o trace.fa32] [--follow-forks] -- PROGRAM [ARGS...]`
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct RecordOptions {
  std::string output = "trace.fa32";
  bool follow_forks = false;
  std::vector<std::string> program;  // PROGRAM and its arguments
};

Command setup_record(CLI::App& parent);
// Runs the program under the recorder and writes its trace(s). Returns the
// program's exit status (128 + signal number when a signal killed it), or
// 127 when it could not be started.
int run_record(const RecordOptions& options);

// The recorder library: $FA32_RECORD_LIBRARY, else the one installed (or
// built) beside the fa32 executable. Throws InputError if there is none.
std::string find_record_library();

}  // namespace fa32::app
