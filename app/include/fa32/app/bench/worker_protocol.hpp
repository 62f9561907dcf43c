// What the bench parent asks of a worker process and what the worker answers.
// The request travels as command-line arguments of the hidden
// `fa32 bench-worker` subcommand; the answer is one JSON object on the
// worker's standard output (logs go to its standard error).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/replay/options.hpp"

namespace fa32::app::bench {

inline constexpr int worker_schema_version = 1;
inline constexpr const char* worker_command = "bench-worker";

struct WorkerRequest {
  std::string trace;  // a path the worker can open (the parent hands a binary copy)
  AllocatorKind kind = AllocatorKind::system;
  std::string fa32_config;     // fastalloc32 only
  std::string expect_library;  // preload only: must be mapped in the worker
  // The probe: one untimed replay that measures what the timed ones must
  // not (footprint, fastalloc32_check, failed allocations), in a process of
  // its own. Otherwise: `repetitions` timed replays, the first of them on the
  // untouched heap of a fresh process, as a program starts.
  bool probe = false;
  std::uint64_t repetitions = 1;  // timed replays (ignored by the probe)
  // The replay's memory limit (ReplayOptions::memory_limit); UINT64_MAX:
  // none, and then no --memory-limit argument is passed.
  std::uint64_t memory_limit = UINT64_MAX;
  replay::Touch touch = replay::Touch::first;  // how the replays write into the blocks
  // > 0: the pid of the fa32 bench that started the worker, which dies
  // with it (and exits at once if it is already gone): a bench stopped by a
  // signal sent to it alone left its worker replaying, unwatched.
  int parent = 0;
};

// The worker's arguments, after the subcommand name.
std::vector<std::string> worker_arguments(const WorkerRequest& request);

struct WorkerResult {
  std::uint64_t events = 0;       // per repetition
  std::uint64_t repetitions = 0;  // timed replays of the whole trace (0: the probe)
  std::uint64_t replay_ns = 0;    // wall time, sum over the repetitions
  double ns_per_event = 0;        // wall time per event
  // CPU time of the replaying thread over the same spans (user + system, so
  // page faults count): unlike wall time it does not grow when the machine
  // is busy and the worker waits for a core.
  std::uint64_t replay_cpu_ns = 0;
  double cpu_ns_per_event = 0;
  std::uint64_t peak_rss_bytes = 0;                   // VmHWM at the end
  std::uint64_t base_rss_bytes = 0;                   // RSS with the trace loaded, before the first replay
  bool rss_peak_reset = false;                        // the high-water mark was reset after loading, so
                                                      // peak - base is the replay's own memory
  std::uint64_t live_peak_bytes = 0;                  // peak of live requested bytes
  std::optional<std::uint64_t> footprint_peak_bytes;  // the allocator's own figure, where known
  bool footprint_exact = false;                       // fastalloc32's gauge (true) or sampled (false)
  std::vector<std::string> verified;                  // what the worker checked, one line each
  std::string allocator_description;
};

std::string to_json_text(const WorkerResult& result);
// Throws std::runtime_error when text is not a worker result.
WorkerResult worker_result_from_json(const std::string& text);

}  // namespace fa32::app::bench
