// The clock benchmarks rank by: CPU time of the calling thread (user +
// system, so page faults count), which does not grow when a busy machine
// makes the thread wait for a core.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <time.h>

#include <cstdint>

namespace fa32::app::bench {

inline std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace fa32::app::bench
