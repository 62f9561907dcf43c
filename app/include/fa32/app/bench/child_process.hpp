// Runs one worker process: the bench's own binary again, with its own
// environment, its output captured, a time limit and a memory watch.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fa32::app::bench {

struct ChildOutcome {
  enum class Status { exited, signaled, timed_out, memory_exceeded, spawn_failed };
  Status status = Status::exited;
  int exit_code = 0;                // exited
  int signal = 0;                   // signaled
  std::uint64_t max_rss_bytes = 0;  // the child's peak resident memory (wait4's ru_maxrss), 0 if unknown
  std::uint64_t rss_limit = 0;      // memory_exceeded: the limit its resident memory passed
  std::string out;                  // standard output
  std::string err;                  // standard error
  std::string error;                // spawn_failed: why
};

// Runs program with args (args[0] is argv[0]). preload non-empty: LD_PRELOAD
// is set to it in the child's environment only; empty: LD_PRELOAD is removed
// from the child's environment, so a run measures the child's own malloc.
// After timeout the child is killed (SIGKILL) and reported as timed_out.
// rss_limit > 0: the child's resident memory is read every 50 ms and the
// child is killed (SIGKILL) once it is above rss_limit, reported as
// memory_exceeded, so a run cannot exhaust the machine.
ChildOutcome run_child(const std::string& program, const std::vector<std::string>& args,
                       const std::string& preload, std::chrono::milliseconds timeout,
                       std::uint64_t rss_limit = 0);

// The running binary, for re-executing itself ("/proc/self/exe" resolved).
std::string self_executable();

// Resident memory of process pid in bytes, from /proc/PID/statm (0 if gone).
std::uint64_t process_rss_bytes(int pid);

// One line for a report: "exited with status 3", "killed by signal 11 (Segmentation fault)", ...
std::string describe(const ChildOutcome& outcome);

}  // namespace fa32::app::bench
