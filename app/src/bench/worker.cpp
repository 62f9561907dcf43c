// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/worker.hpp"

#include <memory>
#include <stdexcept>

#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/bench/process_memory.hpp"
#include "fa32/app/replay/engine.hpp"

namespace fa32::app::bench {

WorkerResult run_worker(const WorkerRequest& request) {
  WorkerResult r;
  if (request.kind == AllocatorKind::preload) {
    if (!library_mapped(request.expect_library)) {
      throw std::runtime_error(request.expect_library +
                               " is not loaded in the worker: LD_PRELOAD did not take");
    }
    r.verified.push_back(request.expect_library + " is mapped in the worker (LD_PRELOAD took effect)");
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

  r.rss_peak_reset = reset_peak_rss();
  r.base_rss_bytes = current_rss_bytes();
  const std::uint64_t reps = request.repetitions == 0 ? 1 : request.repetitions;
  for (std::uint64_t rep = 0; rep < reps; ++rep) {
    // A fresh manager each time, so every repetition starts from the same
    // state; the system malloc keeps its heap, as a long-running program's would.
    std::unique_ptr<replay::Allocator> allocator = request.kind == AllocatorKind::fastalloc32
                                                       ? replay::make_fastalloc32(settings)
                                                       : replay::make_system_allocator();
    if (rep == 0) r.allocator_description = allocator->describe();
    replay::ReplayResult result = replay::replay(trace.events.span(), *allocator, options);
    if (result.error) {
      throw std::runtime_error("replay stopped at event " + std::to_string(result.error->event) + ": " +
                               result.error->message);
    }
    if (result.failed_allocs + result.failed_reallocs != 0) {
      throw std::runtime_error(std::to_string(result.failed_allocs + result.failed_reallocs) +
                               " allocations failed (out of memory?)");
    }
    r.replay_ns += result.replay_ns;
    if (rep == 0) {
      r.live_peak_bytes = result.peak_live_bytes;
      // The first repetition's figure: later ones of the system malloc start
      // from a heap the earlier ones grew. A preloaded malloc has no figure
      // (mallinfo2 would describe glibc's unused heap).
      if (request.kind != AllocatorKind::preload) {
        r.footprint_peak_bytes = result.footprint_peak;
        r.footprint_exact = result.footprint_peak_exact;
      }
      if (result.fa32) {
        if (result.fa32->check != FASTALLOC32_OK) {
          throw std::runtime_error(std::string("fastalloc32_check failed after the replay: ") +
                                   fastalloc32_status_string(result.fa32->check));
        }
        r.verified.push_back("fastalloc32_check passed after the replay");
      }
    }
  }
  r.repetitions = reps;
  r.verified.push_back("every event replayed, no allocation failed (" + std::to_string(reps) + " repetition" +
                       (reps == 1 ? "" : "s") + ")");
  r.ns_per_event = r.events == 0 ? 0.0 : double(r.replay_ns) / double(r.events * reps);
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

}  // namespace fa32::app::bench
