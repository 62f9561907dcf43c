// `fa32 bench TRACE... [--suite]`: fastalloc32 against the allocators people
// actually use, each run in its own process, interleaved, on the same events.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

struct BenchOptions {
  std::vector<std::string> traces;
  bool suite = false;
  double suite_scale = 1.0;
  std::vector<std::string> allocators;  // -a SPEC; empty: the default set
  std::vector<std::string> fa32;        // --fa32 NAME=CONFIG (added)
  std::vector<std::string> preloads;    // --preload NAME=PATH (added)
  int runs = 5;
  int warmup = 1;
  double min_time_ms = 200;
  double timeout_s = 300;
  double noise = 0.10;
  std::string clock = "cpu";
  std::string memory_limit;     // --memory-limit SIZE|none; "": the default (memory_limit.hpp)
  std::string touch = "first";  // how the replay writes into blocks: none, first or all
  std::string format = "text";
  std::string output;  // "" or "-": standard output
};

Command setup_bench(CLI::App& app);
// --min-time's milliseconds as the runner's duration, the fraction kept:
// whole milliseconds made 0.5 a 0, which replays a short trace once a run.
std::chrono::nanoseconds min_run_time_from_ms(double ms);
int run_bench(const BenchOptions& options);

// The hidden worker every bench run executes in its own process.
Command setup_bench_worker(CLI::App& app);

}  // namespace fa32::app
