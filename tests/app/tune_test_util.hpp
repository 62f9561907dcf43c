// Traces for the `fa32 tune` tests, built in memory or written small into
// the test's build directory; nothing large is kept in the source tree.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fa32/traces/event.hpp"
#include "fa32/traces/format.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::test {

// Allocations of sizes taken in turn, keeping about `live` blocks live: once
// `live` are, each new block frees the oldest. Ends with every block freed.
inline std::vector<traces::Event> churn_events(const std::vector<std::uint64_t>& sizes, std::uint64_t allocs,
                                               std::uint64_t live) {
  std::vector<traces::Event> out;
  for (std::uint64_t i = 0; i < allocs; ++i) {
    if (i >= live) out.push_back({traces::Op::free, 0, i - live, 0, 1, 0, 0});
    out.push_back({traces::Op::malloc, 0, i, sizes[i % sizes.size()], 1, 0, 0});
  }
  for (std::uint64_t i = allocs > live ? allocs - live : 0; i < allocs; ++i)
    out.push_back({traces::Op::free, 0, i, 0, 1, 0, 0});
  return out;
}

inline void write_trace(const std::string& path, const std::vector<traces::Event>& events,
                        traces::Format format = traces::Format::binary) {
  traces::TraceHeader h;
  h.event_count = events.size();
  auto w = traces::create_writer(path, format, h);
  w->write(events);
  w->finish();
}

}  // namespace fa32::test
