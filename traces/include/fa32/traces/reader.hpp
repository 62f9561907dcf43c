// Streaming trace readers. open_trace() sniffs the format from the first
// bytes, so every command accepts every format; "-" is standard input.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fa32/traces/event.hpp"
#include "fa32/traces/format.hpp"

namespace fa32::traces {

// Malformed or unreadable input. what() names the source, the event index
// and the line or byte offset, and what was wrong.
// truncated(): the input ended early (a missing trailer, a partial last
// record or line); every complete event before the damage was delivered.
class TraceError : public std::runtime_error {
 public:
  explicit TraceError(const std::string& what, bool truncated = false)
      : std::runtime_error(what), truncated_(truncated) {}
  bool truncated() const { return truncated_; }

 private:
  bool truncated_ = false;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  TraceReader() = default;
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  virtual const TraceHeader& header() const = 0;
  virtual Format format() const = 0;
  // Fills up to out.size() events; returns how many (0 at the end).
  // Throws TraceError on malformed input, never returns a partial event:
  // the events decoded before the damage are returned first, and the next
  // call throws.
  virtual std::size_t read(std::span<Event> out) = 0;
  // Events returned so far.
  virtual std::uint64_t events_read() const = 0;
  // Where the last event came from, for messages: "line 12" / "byte 4096".
  virtual std::string position() const = 0;
  // The name used in messages (the path, or "<stdin>").
  virtual const std::string& source() const = 0;

  // One event at a time; convenience over read().
  bool next(Event& e) { return read(std::span<Event>(&e, 1)) == 1; }
};

// Opens path ("-" = standard input), sniffs the format. Throws TraceError.
std::unique_ptr<TraceReader> open_trace(const std::string& path);
// Reads from a stream the caller keeps alive; name is used in messages.
std::unique_ptr<TraceReader> open_trace(std::istream& in, const std::string& name);
// Reads from a byte buffer the caller keeps alive (tests, fuzzers). With a
// format, no sniffing: that reader is used whatever the bytes are.
std::unique_ptr<TraceReader> open_trace_bytes(std::string_view bytes, const std::string& name);
std::unique_ptr<TraceReader> open_trace_bytes(std::string_view bytes, const std::string& name, Format format);
// The format open_trace() would pick for these first bytes (gzip is looked
// through only by open_trace itself); nullopt when it is none of them.
std::optional<Format> sniff_format(std::string_view first_bytes);

}  // namespace fa32::traces
