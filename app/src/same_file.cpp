// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/same_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "fa32/app/cli.hpp"

namespace fa32::app {
namespace {

// "-" is standard input as an input and standard output as an output: what
// the descriptor holds is checked, as `convert - t.jsonl < t.jsonl` reads
// the very file it would truncate.
bool stat_of(const std::string& path, int standard_fd, struct stat& st) {
  if (path == "-") return ::fstat(standard_fd, &st) == 0;
  return ::stat(path.c_str(), &st) == 0;
}

std::string name_of(const std::string& path, const char* standard_name) {
  return path == "-" ? std::string(standard_name) : path;
}

}  // namespace

void refuse_output_over_input(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out {};
  if (!stat_of(output, STDOUT_FILENO, out)) return;
  // A character device such as /dev/null or /dev/stdout is never an input's
  // storage: writing to it loses nothing that was read.
  if (!S_ISREG(out.st_mode)) return;
  for (const std::string& input : inputs) {
    struct stat in {};
    if (!stat_of(input, STDIN_FILENO, in)) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      throw InputError(name_of(output, "standard output") + ": is also an input (" +
                       name_of(input, "standard input") + "); write the output to another file");
  }
}

void refuse_stdin_twice(const std::vector<std::string>& inputs) {
  if (std::count(inputs.begin(), inputs.end(), "-") > 1)
    throw InputError("- (standard input) is given more than once: it can be read only once");
}

}  // namespace fa32::app
