// Starting a child process: the one place that builds a child's environment
// and argument vector and calls posix_spawn, for fa32 record (the program
// under the recorder) and fa32 bench (its worker processes).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace fa32::app::process {

// This process's environment without the variables named in drop, then the
// "NAME=VALUE" entries of add.
std::vector<std::string> environment(std::initializer_list<std::string_view> drop,
                                     const std::vector<std::string>& add);

struct SpawnRequest {
  std::string program;            // a path, or a name looked up in PATH when search_path
  std::vector<std::string> args;  // args[0] is argv[0]
  std::vector<std::string> env;   // the whole environment, "NAME=VALUE"
  bool search_path = false;
  int stdout_fd = -1;  // >= 0: becomes the child's standard output
  int stderr_fd = -1;  // >= 0: becomes the child's standard error
};

struct Spawned {
  pid_t pid = -1;
  int error = 0;  // errno of the failure when pid < 0
};

Spawned spawn(const SpawnRequest& request);

// Ignores SIGXFSZ in this process: a write past a file size limit (ulimit
// -f) then fails with EFBIG, which the writer reports (exit 2), instead of
// killing fa32 with a report or trace cut short. Children started by spawn
// get the disposition fa32 started with, as if run without it.
void ignore_file_size_signal();

}  // namespace fa32::app::process
