// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/worker.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

#include "fa32/app/bench/cpu_clock.hpp"
#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/bench/process_memory.hpp"
#include "fa32/app/count_noun.hpp"
#include "fa32/app/replay/engine.hpp"

namespace fa32::app::bench {
namespace {

// A replay whose allocations failed or were refused measured something
// else than the trace: no figure of it is reported.
void require_every_allocation(const replay::ReplayResult& r) {
  if (r.refused_by_limit != 0) {
    throw std::runtime_error(std::to_string(r.refused_by_limit) +
                             " requests refused by the memory limit (--memory-limit): " + r.first_refusal);
  }
  if (r.failed_allocs + r.failed_reallocs != 0) {
    throw std::runtime_error(std::to_string(r.failed_allocs + r.failed_reallocs) +
                             " allocations failed (out of memory?)");
  }
}

// The probe: one untimed replay, for what the timed ones must not measure:
// the allocator's footprint peak (fastalloc32's own gauge; glibc's
// mallinfo2 after every call that can grow its heap), the failed
// allocations, and fastalloc32's own consistency check.
void probe(const replay::LoadedTrace& trace, replay::Allocator& allocator, replay::ReplayOptions options,
           const WorkerRequest& request, WorkerResult& r) {
  // A preloaded malloc has no figure (below), and its blocks all lie
  // outside glibc's heap, so sampling would take mallinfo2 at every call.
  if (request.kind == AllocatorKind::preload) options.sample_peaks = false;
  const replay::ReplayResult probe = replay::replay(trace.events.span(), allocator, options);
  if (probe.error) {
    throw std::runtime_error("replay stopped at event " + std::to_string(probe.error->event) + ": " +
                             probe.error->message);
  }
  require_every_allocation(probe);
  r.live_peak_bytes = probe.peak_live_bytes;
  // A preloaded malloc has no figure: mallinfo2 would describe glibc's
  // unused heap.
  // Under AddressSanitizer the system malloc is ASan's, whose mallinfo2
  // reports nothing. (0 from glibc is a real figure: the heap had room.)
  const bool no_figure = request.kind == AllocatorKind::system && built_with_asan();
  if (request.kind != AllocatorKind::preload && !no_figure) {
    r.footprint_peak_bytes = probe.footprint_peak;
    r.footprint_exact = probe.footprint_peak_exact;
  }
  r.verified.push_back("every event replayed without error and no allocation failed (untimed probe)");
  if (probe.fa32) {
    if (probe.fa32->check != FASTALLOC32_OK) {
      throw std::runtime_error(std::string("fastalloc32_check failed after the replay: ") +
                               fastalloc32_status_string(probe.fa32->check));
    }
    r.verified.push_back("fastalloc32_check passed after the replay");
  }
}

// The timed replays: one allocator for all of them, as one long-running
// program would use it, and nothing on the clock but the replay loop (no
// sampling, no end-of-replay checks). No probe ran in this process: the
// first replay starts on the untouched heap of a fresh process for every
// allocator alike, as the program did. (A probe first had warmed the
// process's malloc, but not the fresh fastalloc32 manager of the timed
// replays: on lua-tables that gave glibc, jemalloc, mimalloc and tcmalloc
// 11 000 page faults fewer than fastalloc32 in the first timed replay.)
// A trace that ends with every block freed is replayed again by the same
// replayer, its id table already warm; one that leaves blocks live gets a
// new replayer, which frees them first.
void time_replays(const replay::LoadedTrace& trace, replay::Allocator& allocator,
                  replay::ReplayOptions options, const WorkerRequest& request, WorkerResult& r) {
  options.sample_peaks = false;
  std::optional<replay::Replayer> replayer;
  const std::uint64_t reps = request.repetitions == 0 ? 1 : request.repetitions;
  for (std::uint64_t rep = 0; rep < reps; ++rep) {
    if (!replayer || replayer->progress().live_allocs != 0) {
      replayer.reset();  // frees what the last repetition left live
      replayer.emplace(allocator, options);
    }
    const std::uint64_t c0 = thread_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = replayer->feed(trace.events.span());
    const auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t c1 = thread_cpu_ns();
    if (!ok) {
      const replay::ReplayResult failed = replayer->finish();
      throw std::runtime_error("timed replay stopped: " +
                               (failed.error ? failed.error->message : "unknown error"));
    }
    r.replay_ns +=
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    r.replay_cpu_ns += c1 - c0;
    require_every_allocation(replayer->progress());
  }
  replayer.reset();
  r.repetitions = reps;
  r.verified.push_back(
      "every event replayed without error and no allocation failed: " + count_noun(reps, "timed repetition") +
      ", the first on the fresh heap of a new process");
  r.verified.push_back("blocks written by the replays: --touch " +
                       std::string(replay::touch_name(request.touch)));
  r.ns_per_event = r.events == 0 ? 0.0 : double(r.replay_ns) / double(r.events * reps);
  r.cpu_ns_per_event = r.events == 0 ? 0.0 : double(r.replay_cpu_ns) / double(r.events * reps);
}

}  // namespace

WorkerResult run_worker(const WorkerRequest& request) {
  WorkerResult r;
  if (request.kind == AllocatorKind::preload) {
    if (!library_mapped(request.expect_library)) {
      throw std::runtime_error(request.expect_library +
                               " is not loaded in the worker: LD_PRELOAD did not take");
    }
    if (!allocator_is(request.expect_library)) {
      throw std::runtime_error(request.expect_library +
                               " is loaded but the worker's malloc and free are not its: not an allocator");
    }
    r.verified.push_back(request.expect_library +
                         " is mapped in the worker and its malloc and free are the worker's (LD_PRELOAD "
                         "took effect)");
  }
  replay::Fa32Settings settings;
  if (request.kind == AllocatorKind::fastalloc32) {
    settings = replay::make_fa32_settings(parse_fa32_spec(request.fa32_config));
  }

  // Off the clock: the whole trace decoded into the replayer's own mapping.
  replay::LoadedTrace trace = replay::load_events(request.trace);
  r.events = trace.events.size();
  replay::ReplayOptions options;
  options.id_bound = trace.max_id + 1;
  options.expected_events = trace.events.size();
  options.memory_limit = request.memory_limit;
  options.touch = request.touch;

  r.rss_peak_reset = reset_peak_rss();
  r.base_rss_bytes = current_rss_bytes();
  std::unique_ptr<replay::Allocator> allocator = request.kind == AllocatorKind::fastalloc32
                                                     ? replay::make_fastalloc32(settings)
                                                     : replay::make_system_allocator();
  r.allocator_description = allocator->describe();
  if (request.probe) {
    probe(trace, *allocator, options, request, r);
  } else {
    time_replays(trace, *allocator, options, request, r);
  }
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

}  // namespace fa32::app::bench
