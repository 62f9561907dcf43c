// The fa32 command line: one entry point, one catch point.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <stdexcept>

namespace fa32::app {

// Exit codes, documented in `fa32 --help` and the README.
enum ExitCode : int {
  exit_ok = 0,            // success, every check passed
  exit_check_failed = 1,  // a check failed: a leak, a gate, a corruption found by --verify
  exit_bad_input = 2,     // bad input or usage: unreadable/invalid trace, bad option
};

// Bad input or usage; run() prints what() and returns exit_bad_input.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses argv, runs the chosen subcommand, catches everything, logs it and
// returns the exit code. Never throws.
int run(int argc, char** argv);

}  // namespace fa32::app
