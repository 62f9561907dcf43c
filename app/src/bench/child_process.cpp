// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ;

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

std::vector<std::string> child_environment(const std::string& preload) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "LD_PRELOAD=", 11) == 0) continue;
    env.emplace_back(*e);
  }
  if (!preload.empty()) env.push_back("LD_PRELOAD=" + preload);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

ChildOutcome run_child(const std::string& program, const std::vector<std::string>& args,
                       const std::string& preload, std::chrono::milliseconds timeout) {
  ChildOutcome outcome;
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> arg_strings = args;
  std::vector<std::string> env_strings = child_environment(preload);
  std::vector<char*> argv = pointers(arg_strings);
  std::vector<char*> envp = pointers(env_strings);

  Pipe out;
  Pipe err;
  if (!out.open() || !err.open()) {
    outcome.status = ChildOutcome::Status::spawn_failed;
    outcome.error = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    outcome.status = ChildOutcome::Status::spawn_failed;
    outcome.error = std::string("fork: ") + std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    dup2(out.fd[1], STDOUT_FILENO);
    dup2(err.fd[1], STDERR_FILENO);
    execve(program.c_str(), argv.data(), envp.data());
    const char msg[] = "fa32 bench: cannot execute the worker\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  out.close_end(1);
  err.close_end(1);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
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
    const int n = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
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
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
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
    case ChildOutcome::Status::spawn_failed:
      return "could not be started: " + o.error;
  }
  return "?";
}

}  // namespace fa32::app::bench
