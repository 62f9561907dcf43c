// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/output_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>

#include "fa32/app/cli.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/remove_on_signal.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app {

void check_output_writable(const std::string& path) {
  // A FIFO or a device is not opened to find out: opening and closing a
  // FIFO hands its reader an end of file, and the real open later waits
  // for a reader that has gone (bench -o FIFO hung).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    if (::access(path.c_str(), W_OK) != 0) throw InputError(path + ": cannot write: " + std::strerror(errno));
    return;
  }
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

void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path);
  if (!out) throw InputError(path + ": cannot open for writing: " + std::strerror(errno));
  const RemoveOnSignal remove_on_signal(path);
  errno = 0;
  write(out);
  out.flush();
  if (out) out.close();
  if (out) return;
  const int err = errno;
  throw InputError(path + ": write failed" + (err != 0 ? std::string(": ") + std::strerror(err) : "") +
                   remove_incomplete_output(path));
}

void write_trace_file(const std::string& path, const std::function<void()>& write) {
  try {
    write();
  } catch (const traces::WriteError& e) {
    // The sink's message names the file and the errno.
    throw InputError(e.what() + remove_incomplete_output(path));
  } catch (const std::bad_alloc&) {
    // As a write error, the trace is cut short by fa32, not by its input:
    // removed first, as building the message may itself run out.
    const std::string removed = remove_incomplete_output(path);
    throw InputError(path +
                     ": not written whole: out of memory: the system refused fa32 the memory it needed" +
                     address_space_limit_note() + removed);
  }
}

std::string remove_incomplete_output(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::unlink(path.c_str()) != 0)
    return "";
  return "; the incomplete file was removed";
}

}  // namespace fa32::app
