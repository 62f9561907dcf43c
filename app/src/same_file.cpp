// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/same_file.hpp"

#include <sys/stat.h>

#include "fa32/app/cli.hpp"

namespace fa32::app {

void refuse_output_over_input(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out {};
  if (output == "-" || stat(output.c_str(), &out) != 0) return;
  // A character device such as /dev/null or /dev/stdout is never an input's
  // storage: writing to it loses nothing that was read.
  if (!S_ISREG(out.st_mode)) return;
  for (const std::string& input : inputs) {
    struct stat in {};
    if (input == "-" || stat(input.c_str(), &in) != 0) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      throw InputError(output + ": is also an input (" + input + "); write the output to another file");
  }
}

}  // namespace fa32::app
