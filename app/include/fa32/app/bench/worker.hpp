// The worker: what one benchmark run does inside its own process.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fa32/app/bench/worker_protocol.hpp"

namespace fa32::app::bench {

// Decodes the trace into memory (off the clock), replays it
// request.repetitions times through the allocator, each time a fresh
// manager (fastalloc32) or the process's malloc, and measures. Throws
// InputError / TraceError for a bad trace, std::runtime_error when a check
// fails (the preloaded library is not mapped, the replay found an error).
WorkerResult run_worker(const WorkerRequest& request);

}  // namespace fa32::app::bench
