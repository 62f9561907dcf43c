// The result of `fa32 bench`: a plain struct the printers only format.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/bench/summary.hpp"

namespace fa32::app::bench {

inline constexpr int bench_schema_version = 1;

enum class RunStatus {
  ok,      // every run finished
  failed,  // a run crashed, timed out or reported an error; message says which
};
const char* status_name(RunStatus s);

struct AllocatorRow {
  std::string name;
  std::string kind;         // fastalloc32 / system / preload
  std::string description;  // config or library path
  RunStatus status = RunStatus::ok;
  std::string message;
  std::vector<double> ns_per_event;       // one per measured run, in run order, by the report's clock
  std::vector<double> wall_ns_per_event;  // the same runs by wall time
  std::vector<double> cpu_ns_per_event;   // and by the replaying thread's CPU time
  Summary summary;                        // over ns_per_event
  std::uint64_t peak_rss_bytes = 0;       // largest over runs
  std::uint64_t replay_rss_bytes = 0;     // largest (peak - base) over runs
  bool rss_exact = false;                 // high-water mark reset after loading, so replay_rss is exact
  std::optional<std::uint64_t> footprint_peak_bytes;
  std::optional<double> footprint_vs_live;  // footprint peak / live peak
  std::optional<double> ratio_to_glibc;     // median / glibc median
  std::optional<double> ratio_to_fastest;   // median / fastest median
  bool fastest = false;
  std::vector<std::string> verified;
};

struct WorkloadResult {
  std::string name;    // trace path or suite profile
  std::string source;  // "trace" or "suite"
  std::uint64_t events = 0;
  std::uint64_t repetitions = 1;  // replays of the trace per run
  // The repetitions --min-time asked for passed RunnerOptions::max_repetitions:
  // a run lasted less than --min-time (the report says so in a note).
  bool repetitions_capped = false;
  std::uint64_t live_peak_bytes = 0;
  std::vector<AllocatorRow> allocators;
};

struct BenchReport {
  int runs = 0;
  int warmup = 0;
  double noise_threshold = default_noise_threshold;
  std::string clock = "cpu";    // what ns_per_event measures: "cpu" (the replaying thread's) or "wall"
  std::string touch = "first";  // how the replays wrote into the blocks: "none", "first" or "all"
  std::uint64_t memory_limit = UINT64_MAX;  // each worker's --memory-limit; UINT64_MAX: none
  std::vector<WorkloadResult> workloads;
  std::vector<std::string> notes;  // allocators skipped (not installed, sanitizer build) and similar
};

// Fills the derived figures of every row of w: summaries, ratios, fastest.
void derive_figures(WorkloadResult& w, double noise_threshold);

// True when a row failed (a crash or timeout), so the command exits 1.
bool any_failed(const BenchReport& report);

// One note for each finished row whose replay RSS is not exact (a worker
// could not reset its peak resident set after loading the trace, so the
// figure counts the loading too), added to report.notes: the text, Markdown
// and HTML tables show the figure without the JSON's replay_rss_exact.
void note_inexact_replay_rss(BenchReport& report);

}  // namespace fa32::app::bench
