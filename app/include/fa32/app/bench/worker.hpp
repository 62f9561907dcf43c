// The worker: what one benchmark run does inside its own process.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fa32/app/bench/worker_protocol.hpp"

namespace fa32::app::bench {

// Decodes the trace into memory (off the clock), then either probes it (one
// untimed replay: footprint, checks) or replays it request.repetitions times
// on the clock through one allocator (a fresh fastalloc32 manager or the
// process's malloc), and measures. Throws
// InputError / TraceError for a bad trace, std::runtime_error when a check
// fails (the preloaded library is not mapped, the replay found an error).
WorkerResult run_worker(const WorkerRequest& request);

}  // namespace fa32::app::bench
