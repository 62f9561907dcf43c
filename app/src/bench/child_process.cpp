// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "fa32/app/process/spawn.hpp"

namespace fa32::app::bench {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
  bool open() { return pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

std::uint64_t process_rss_bytes(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/statm", pid);
  std::FILE* f = std::fopen(path, "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

namespace {
std::string human_mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}
}  // namespace

ChildOutcome run_child(const std::string& program, const std::vector<std::string>& args,
                       const std::string& preload, std::chrono::milliseconds timeout,
                       std::uint64_t rss_limit) {
  ChildOutcome outcome;
  Pipe out;
  Pipe err;
  if (!out.open() || !err.open()) {
    outcome.status = ChildOutcome::Status::spawn_failed;
    outcome.error = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  // The child measures its own malloc unless preload names another.
  process::SpawnRequest request;
  request.program = program;
  request.args = args;
  request.env = process::environment({"LD_PRELOAD"}, preload.empty()
                                                         ? std::vector<std::string>{}
                                                         : std::vector<std::string>{"LD_PRELOAD=" + preload});
  request.stdout_fd = out.fd[1];
  request.stderr_fd = err.fd[1];
  const process::Spawned spawned = process::spawn(request);
  if (spawned.pid < 0) {
    outcome.status = ChildOutcome::Status::spawn_failed;
    outcome.error = program + ": " + std::strerror(spawned.error);
    return outcome;
  }
  const pid_t pid = spawned.pid;
  out.close_end(1);
  err.close_end(1);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  bool over_memory = false;
  // The watch wakes often enough that a replay writing memory flat out
  // passes the limit by a few hundred MiB at most before it is killed.
  const long long wake_ms = rss_limit != 0 ? 50 : 1000;
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (rss_limit != 0 && process_rss_bytes(pid) > rss_limit) {
      over_memory = true;
      kill(pid, SIGKILL);
      break;
    }
    const int n = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), wake_ms)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? outcome.out : outcome.err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out : err).close_end(0);
      }
    }
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  outcome.max_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
  if (over_memory) {
    outcome.status = ChildOutcome::Status::memory_exceeded;
    outcome.rss_limit = rss_limit;
  } else if (timed_out) {
    outcome.status = ChildOutcome::Status::timed_out;
  } else if (WIFSIGNALED(status)) {
    outcome.status = ChildOutcome::Status::signaled;
    outcome.signal = WTERMSIG(status);
  } else {
    outcome.status = ChildOutcome::Status::exited;
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

std::string describe(const ChildOutcome& o) {
  switch (o.status) {
    case ChildOutcome::Status::exited:
      return "exited with status " + std::to_string(o.exit_code);
    case ChildOutcome::Status::signaled:
      return "killed by signal " + std::to_string(o.signal) + " (" + strsignal(o.signal) + ")";
    case ChildOutcome::Status::timed_out:
      return "timed out and was killed";
    case ChildOutcome::Status::memory_exceeded:
      return "was killed: its resident memory passed " + human_mib(o.rss_limit) +
             ", the watch limit (--memory-limit, plus room for the allocator and the trace)";
    case ChildOutcome::Status::spawn_failed:
      return "could not be started: " + o.error;
  }
  return "?";
}

}  // namespace fa32::app::bench
