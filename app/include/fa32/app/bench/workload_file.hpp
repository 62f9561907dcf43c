// Workloads as the workers read them: binary traces in memory-backed files
// (memfd) that the parent writes once and every worker decodes.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "fa32/traces/reader.hpp"

namespace fa32::app::bench {

// An anonymous in-memory file holding a binary trace; closed on destruction.
// Workers open it as /proc/PID/fd/N.
class MemTrace {
 public:
  MemTrace() = default;
  ~MemTrace();
  MemTrace(MemTrace&& other) noexcept;
  MemTrace& operator=(MemTrace&& other) noexcept;
  MemTrace(const MemTrace&) = delete;
  MemTrace& operator=(const MemTrace&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t live_peak_bytes() const { return live_peak_; }

  // Copies every event of reader (validating as it goes: an invalid trace
  // throws traces::TraceError naming the event).
  static MemTrace copy_of(traces::TraceReader& reader, const std::string& name);

 private:
  int fd_ = -1;
  std::string path_;
  std::uint64_t events_ = 0;
  std::uint64_t live_peak_ = 0;
};

}  // namespace fa32::app::bench
