// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/runner.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "fa32/app/bench/child_process.hpp"
#include "fa32/app/bench/schedule.hpp"
#include "fa32/app/bench/worker_protocol.hpp"

namespace fa32::app::bench {
namespace {

// The last non-empty line of a worker's standard error: its error message.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

struct Attempt {
  bool ok = false;
  WorkerResult result;
  std::string message;
};

Attempt run_once(const Workload& w, const AllocatorSpec& spec, bool probe, std::uint64_t reps,
                 const RunnerOptions& options) {
  WorkerRequest req;
  req.probe = probe;
  req.trace = w.trace_path;
  req.kind = spec.kind;
  req.fa32_config = spec.config;
  req.expect_library = spec.kind == AllocatorKind::preload ? spec.path : "";
  req.repetitions = reps;
  req.memory_limit = options.memory_limit;
  req.touch = options.touch;
  req.parent = static_cast<int>(getpid());
  std::vector<std::string> args = worker_arguments(req);
  args.insert(args.begin(), options.program);
  const ChildOutcome o =
      run_child(options.program, args, spec.kind == AllocatorKind::preload ? spec.path : "", options.timeout,
                worker_rss_watch(options.memory_limit, w.events));
  Attempt a;
  if (o.status != ChildOutcome::Status::exited || o.exit_code != 0) {
    a.message = "worker " + describe(o);
    if (std::string err = last_line(o.err); !err.empty()) a.message += ": " + err;
    return a;
  }
  try {
    a.result = worker_result_from_json(o.out);
    a.ok = true;
  } catch (const std::exception& e) {
    a.message = e.what();
  }
  return a;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

}  // namespace

void record_run(AllocatorRow& row, const WorkerResult& r, int run, const RunnerOptions& options) {
  row.ns_per_event.push_back(options.cpu_clock ? r.cpu_ns_per_event : r.ns_per_event);
  row.wall_ns_per_event.push_back(r.ns_per_event);
  row.cpu_ns_per_event.push_back(r.cpu_ns_per_event);
  row.peak_rss_bytes = std::max(row.peak_rss_bytes, r.peak_rss_bytes);
  if (r.peak_rss_bytes > r.base_rss_bytes) {
    row.replay_rss_bytes = std::max(row.replay_rss_bytes, r.peak_rss_bytes - r.base_rss_bytes);
  }
  // The replay RSS is the largest over the runs, so it is exact only when
  // every run reset its peak (the last run alone used to decide).
  row.rss_exact = (run == 0 ? true : row.rss_exact) && r.rss_peak_reset;
  if (run == 0) {
    // The probe's lines first; the preload check is the same in every worker.
    for (const std::string& line : r.verified) {
      if (std::find(row.verified.begin(), row.verified.end(), line) == row.verified.end())
        row.verified.push_back(line);
    }
  }
}

std::uint64_t worker_rss_watch(std::uint64_t memory_limit, std::uint64_t events) {
  if (memory_limit == UINT64_MAX) return 0;
  const std::uint64_t decoded = events > UINT64_MAX / 16 ? UINT64_MAX : events * 16;
  std::uint64_t watch = saturating_add(memory_limit, memory_limit / 2);
  watch = saturating_add(watch, decoded);
  return saturating_add(watch, std::uint64_t{512} << 20);
}

std::size_t progress_steps(std::size_t allocators, const RunnerOptions& options) {
  // The probe round, the warm-up rounds (or the one calibration round) and
  // the measured runs, for each allocator.
  const std::size_t warmup = options.warmup == 0 ? 1 : static_cast<std::size_t>(options.warmup);
  return allocators * (1 + static_cast<std::size_t>(options.runs) + warmup);
}

WorkloadResult run_workload(const Workload& workload, const std::vector<AllocatorSpec>& allocators,
                            const RunnerOptions& options) {
  WorkloadResult w;
  w.name = workload.name;
  w.source = workload.source;
  w.events = workload.events;
  w.live_peak_bytes = workload.live_peak_bytes;
  for (const AllocatorSpec& s : allocators) {
    AllocatorRow row;
    row.name = s.name;
    row.kind = std::string(kind_name(s.kind));
    row.description = s.kind == AllocatorKind::preload       ? s.path
                      : s.kind == AllocatorKind::fastalloc32 ? s.config
                                                             : "";
    w.allocators.push_back(std::move(row));
  }

  // Repetitions per run are fixed for the workload before the measured runs,
  // from the warm-up round: enough that the fastest allocator's run lasts
  // min_run_time, the same for every allocator so all replay the same work.
  // With no warm-up round, one repetition used to be taken whatever
  // --min-time said, so a tiny trace was timed once, about 10x off. Now a
  // round of one-repetition runs calibrates instead: when the fastest lasted
  // min_run_time, one repetition is right and that round stands as the first
  // measured one (a long trace costs no extra run); otherwise it is
  // discarded, like a warm-up round, and the measured runs repeat the trace.
  const bool calibrate = options.warmup == 0;
  std::uint64_t reps = 1;
  std::vector<double> warmup_ns(allocators.size(), 0);
  std::vector<std::optional<WorkerResult>> calibration(allocators.size());
  bool reps_fixed = false;
  bool calibration_kept = false;

  for (const Slot& slot :
       interleaved_schedule(allocators.size(), options.runs, calibrate ? 1 : options.warmup)) {
    AllocatorRow& row = w.allocators[slot.allocator];
    // Every slot of the schedule is one progress step, run or passed over,
    // so the count ends at progress_steps().
    const auto step = [&] {
      if (options.progress) options.progress(w.name, row.name, slot.warmup ? -1 : slot.run);
    };
    if (row.status == RunStatus::failed) {  // one failure is enough; do not repeat a crash
      step();
      continue;
    }
    if (!slot.warmup && !reps_fixed) {
      double fastest = 0;
      for (std::size_t i = 0; i < allocators.size(); ++i) {
        if (w.allocators[i].status != RunStatus::failed && warmup_ns[i] > 0 &&
            (fastest == 0 || warmup_ns[i] < fastest)) {
          fastest = warmup_ns[i];
        }
      }
      const double want = double(std::chrono::nanoseconds(options.min_run_time).count());
      if (fastest > 0 && fastest < want) {
        const auto needed = static_cast<std::uint64_t>(std::ceil(want / fastest));
        reps = std::min<std::uint64_t>(options.max_repetitions, needed);
        w.repetitions_capped = needed > reps;
      }
      reps_fixed = true;
      if (calibrate && reps == 1) {
        calibration_kept = true;
        for (std::size_t i = 0; i < allocators.size(); ++i) {
          if (w.allocators[i].status != RunStatus::failed && calibration[i])
            record_run(w.allocators[i], *calibration[i], 0, options);
        }
      }
    }
    if (calibration_kept && !slot.warmup && slot.run == 0) {  // the calibration round was this round
      step();
      continue;
    }
    const Attempt a =
        run_once(workload, allocators[slot.allocator], slot.probe, slot.warmup ? 1 : reps, options);
    step();
    if (!a.ok) {
      row.status = RunStatus::failed;
      row.message = (slot.probe    ? "probe: "
                     : slot.warmup ? (calibrate ? "calibration run: " : "warm-up run: ")
                                   : "run " + std::to_string(slot.run + 1) + ": ") +
                    a.message;
      spdlog::warn("{}: {}: {}", w.name, row.name, row.message);
      continue;
    }
    const WorkerResult& r = a.result;
    if (slot.probe) {
      row.footprint_peak_bytes = r.footprint_peak_bytes;
      row.verified = r.verified;
      if (!r.allocator_description.empty() && row.kind != "preload")
        row.description = r.allocator_description;
      if (w.live_peak_bytes == 0) w.live_peak_bytes = r.live_peak_bytes;
      continue;
    }
    if (slot.warmup) {
      warmup_ns[slot.allocator] = double(std::max(r.replay_ns, r.replay_cpu_ns));
      if (calibrate) calibration[slot.allocator] = r;
      continue;
    }
    record_run(row, r, slot.run, options);
  }
  w.repetitions = reps;
  derive_figures(w, options.noise_threshold);
  return w;
}

}  // namespace fa32::app::bench
