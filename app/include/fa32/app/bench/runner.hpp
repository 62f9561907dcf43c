// Runs the benchmark: every workload through every allocator, each run in
// its own worker process, in an interleaved order.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/bench/bench_report.hpp"
#include "fa32/app/bench/worker_protocol.hpp"
#include "fa32/app/replay/options.hpp"

namespace fa32::app::bench {

// A trace to benchmark, already written in binary form where workers can read it.
struct Workload {
  std::string name;
  std::string source;      // "trace" / "suite"
  std::string trace_path;  // what the workers open
  std::uint64_t events = 0;
  std::uint64_t live_peak_bytes = 0;
};

struct RunnerOptions {
  int runs = 5;
  int warmup = 1;
  // A run replays the trace once, or more until it has lasted min_run_time
  // (measured on the warm-up round; with warmup 0 on a calibration round,
  // see run_workload), so tiny traces give a measurable time.
  std::chrono::nanoseconds min_run_time{std::chrono::milliseconds(200)};
  std::uint64_t max_repetitions = 10000;
  std::chrono::milliseconds timeout{120000};
  double noise_threshold = default_noise_threshold;
  // Rank by the replaying thread's CPU time (true) or by wall time.
  bool cpu_clock = true;
  // How every replay writes into the blocks it gets (fa32 replay's --touch).
  replay::Touch touch = replay::Touch::first;
  std::string program;  // the binary to re-execute (self_executable())
  // Each worker's replay may hold at most this many requested bytes live
  // (--memory-limit; UINT64_MAX: none), and a worker whose resident memory
  // passes worker_rss_watch() is killed.
  std::uint64_t memory_limit = UINT64_MAX;
  // Called with each run as it finishes: (workload, allocator, run or -1 for warm-up).
  std::function<void(const std::string&, const std::string&, int)> progress;
};

// The resident memory at which a worker replaying `events` events under
// memory_limit is killed: the limit, half as much again for the allocator's
// own overhead, 16 bytes per decoded event, and 512 MiB for the program, its
// libraries and a sanitizer's runtime. 0 (no watch) when there is no limit.
std::uint64_t worker_rss_watch(std::uint64_t memory_limit, std::uint64_t events);

// A measured run's figures into its allocator's row (run counts from 0, in
// order): its time, the largest peak and replay RSS so far, and whether every
// run's replay RSS was exact.
void record_run(AllocatorRow& row, const WorkerResult& r, int run, const RunnerOptions& options);

// How many times run_workload calls options.progress for a workload: once
// for every slot of its schedule, whether the slot runs or is passed over.
std::size_t progress_steps(std::size_t allocators, const RunnerOptions& options);

WorkloadResult run_workload(const Workload& workload, const std::vector<AllocatorSpec>& allocators,
                            const RunnerOptions& options);

}  // namespace fa32::app::bench
