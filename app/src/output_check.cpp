// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/output_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fa32/app/cli.hpp"

namespace fa32::app {

void check_output_writable(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != ENOENT) throw InputError(path + ": cannot write: " + std::strerror(errno));
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path + ": cannot write: " + std::strerror(errno));
  ::close(fd);
  ::unlink(path.c_str());
}

}  // namespace fa32::app
