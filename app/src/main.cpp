// SPDX-License-Identifier: GPL-3.0-or-later
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "fa32/app/cli.hpp"
#include "fa32/app/process/spawn.hpp"

namespace {

// A standard descriptor the caller closed (`fa32 gen -o t.jsonl 2>&-`)
// would be the number the next open() returns, and then the log lines
// meant for stderr (or a report meant for stdout) land inside the trace or
// report file being written. Each closed one is held by /dev/null, opened
// the other way round (stdin for writing, stdout and stderr for reading),
// so every use of it still fails as on a closed descriptor (EBADF: a
// report to a closed stdout is still exit 2) and no file takes its number.
void hold_closed_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int held = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (held >= 0 && held != fd) {
      // Lower descriptors are open, so open() returns fd itself; if it did
      // not, move the placeholder there.
      ::dup2(held, fd);
      ::close(held);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  hold_closed_standard_descriptors();
  fa32::app::process::ignore_file_size_signal();
  return fa32::app::run(argc, argv);
}
