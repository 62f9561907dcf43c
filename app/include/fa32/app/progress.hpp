// A progress bar on stderr, shared by the commands that run long: drawn only
// when stderr is a terminal, logs are not silenced, and the work has already
// run for a second, so pipes, scripts and tests see nothing.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace fa32::app {

class Progress {
 public:
  // unit names what is counted ("events", "replays"); total 0: unknown.
  explicit Progress(std::uint64_t total, std::string unit = "events");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void operator()(std::uint64_t done);
  // For work whose size is known only as it goes.
  void set_total(std::uint64_t total) { total_ = total; }

 private:
  std::uint64_t total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace fa32::app
