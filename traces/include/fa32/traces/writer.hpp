// Streaming trace writers: events go out as they come, memory stays flat.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "fa32/traces/event.hpp"
#include "fa32/traces/format.hpp"

namespace fa32::traces {

class TraceWriter {
 public:
  virtual ~TraceWriter() = default;
  TraceWriter() = default;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  virtual void write(std::span<const Event> events) = 0;
  void write(const Event& e) { write(std::span<const Event>(&e, 1)); }
  // Writes the trailer and flushes. Must be called; a writer destroyed
  // without finish() leaves a trace readers report as truncated.
  // Throws std::runtime_error on I/O errors.
  virtual void finish() = 0;
};

// path "-" is standard output. Throws std::runtime_error if it cannot open.
std::unique_ptr<TraceWriter> create_writer(const std::string& path, Format format, const TraceHeader& header);
// Writes to a stream the caller keeps alive.
std::unique_ptr<TraceWriter> create_writer(std::ostream& out, Format format, const TraceHeader& header);

}  // namespace fa32::traces
