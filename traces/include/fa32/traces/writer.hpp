// Streaming trace writers: events go out as they come, memory stays flat.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>

#include "fa32/traces/event.hpp"
#include "fa32/traces/format.hpp"

namespace fa32::traces {

// A write to the output failed (a full disk; EFBIG past a file size limit):
// what is in the file is cut short. Told apart from the errors of the
// events themselves, which leave a trace that reads as truncated, so that a
// command can remove an output file a write error left incomplete.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
  // Throws WriteError on I/O errors.
  virtual void finish() = 0;
  // Pushes every complete record written so far to the file or stream, so a
  // process killed later leaves a trace that reads as "truncated: N events
  // recovered" with those events. Throws WriteError on I/O errors.
  virtual void flush() = 0;
  virtual std::uint64_t events_written() const = 0;
};

// The header's event_count and id_bound, when non-zero, are promises:
// write() throws std::invalid_argument for an id >= id_bound, finish() for a
// different event count. path "-" is standard output. Throws std::runtime_error if it cannot open,
// WriteError if a large header, written at once, cannot be written, and
// std::invalid_argument (before opening) for a header over the readers' 1 MiB limit.
std::unique_ptr<TraceWriter> create_writer(const std::string& path, Format format, const TraceHeader& header);
// Writes to a stream the caller keeps alive.
std::unique_ptr<TraceWriter> create_writer(std::ostream& out, Format format, const TraceHeader& header);

}  // namespace fa32::traces
