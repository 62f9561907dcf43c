// SPDX-License-Identifier: GPL-3.0-or-later
// A trace file whose close() fails. Some file systems (NFS, quotas) report
// that the data did not fit only there, so a writer that ignored it would
// call a cut-short file finished. This test binary defines close, which
// the traces library's call resolves to: it fails on demand for one path
// and otherwise forwards to the C library's. A binary of its own, so that
// no other test runs with it.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <string>

#include "trace_test_util.hpp"

namespace {
std::string failing_path;  // close() of a descriptor of this file fails
int failed_closes = 0;

bool names_failing_path(int fd) {
  if (failing_path.empty()) return false;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  const ssize_t n = ::readlink(link, target, sizeof target - 1);
  return n > 0 && std::string(target, static_cast<std::size_t>(n)) == failing_path;
}
}  // namespace

extern "C" int close(int fd) {
  using Close = int (*)(int);
  static const auto real = reinterpret_cast<Close>(dlsym(RTLD_NEXT, "close"));
  if (real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  const bool fail = names_failing_path(fd);
  const int rc = real(fd);
  if (!fail || rc != 0) return rc;
  // As NFS does: the descriptor is gone, the error reported.
  ++failed_closes;
  errno = EIO;
  return -1;
}

using namespace fa32::traces;

TEST_CASE("a trace file whose close fails is a write error, not a finished trace") {
  const auto dir = std::filesystem::temp_directory_path() / ("fa32-close-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<Event> events(2);
  events[0].op = Op::malloc;
  events[0].size = 24;
  events[1].op = Op::free;
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    for (const char* suffix : {"", ".gz"}) {
      const std::string path = (dir / (std::string("t.") + std::string(format_name(f)) + suffix)).string();
      CAPTURE(path);
      auto w = create_writer(path, f, TraceHeader{});
      w->write(events);
      failing_path = std::filesystem::canonical(path).string();
      failed_closes = 0;
      std::string error;
      try {
        w->finish();
      } catch (const WriteError& e) {
        error = e.what();
      }
      failing_path.clear();
      CHECK(failed_closes == 1);
      CHECK(error.find(path) != std::string::npos);
      CHECK(error.find("Input/output error") != std::string::npos);
      w.reset();  // the descriptor was released by the failed close: no second close
      CHECK(failed_closes == 1);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a trace file whose close succeeds finishes as before") {
  const auto dir = std::filesystem::temp_directory_path() / ("fa32-close-ok-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.fa32").string();
  std::vector<Event> events(1);
  events[0].op = Op::malloc;
  events[0].size = 8;
  auto w = create_writer(path, Format::binary, TraceHeader{});
  w->write(events);
  CHECK_NOTHROW(w->finish());
  w.reset();
  auto r = open_trace(path);
  CHECK(test::read_all(*r).size() == 1);
  std::filesystem::remove_all(dir);
}
