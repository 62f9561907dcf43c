// What the JSON and JSON Lines readers share: a byte window with line
// counting, messages that name the source, event, line and byte, and the
// "deliver the good events, then throw" rule.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <memory>
#include <string>

#include "byte_io.hpp"
#include "fa32/traces/reader.hpp"
#include "header_json.hpp"

namespace fa32::traces::detail {

class TextReader : public TraceReader {
 public:
  explicit TextReader(std::unique_ptr<ByteSource> src) : src_(std::move(src)) {}

  const TraceHeader& header() const override { return header_; }
  std::uint64_t events_read() const override { return events_; }
  std::string position() const override {
    return "line " + std::to_string(last_line_) + ", byte " + std::to_string(last_offset_);
  }
  const std::string& source() const override { return src_->name(); }

  std::size_t read(std::span<Event> out) final {
    if (!pending_.empty()) throw TraceError(pending_, pending_truncated_);
    if (done_) return 0;
    std::size_t n = 0;
    try {
      while (n < out.size() && !done_) {
        if (next_event(out[n])) {
          if (header_.id_bound != 0 && out[n].id >= header_.id_bound) {
            fail_event("id " + std::to_string(out[n].id) + " is not below the header's id_bound " +
                       std::to_string(header_.id_bound));
          }
          ++n;
          ++events_;
        }
      }
    } catch (const TraceError& e) {
      const TraceError err = with_events_recovered(e, *src_, where(line_, src_->offset()), events_);
      if (n == 0) throw err;
      pending_ = err.what();
      pending_truncated_ = err.truncated();
    }
    return n;
  }

 protected:
  // Reads one event into e (true), or reaches the end (false, sets done_).
  virtual bool next_event(Event& e) = 0;

  // Marks the start of the event being parsed, for position() and messages.
  void mark() {
    last_line_ = line_;
    last_offset_ = src_->offset();
  }
  void consume(std::size_t n) {
    line_ += static_cast<std::uint64_t>(std::count(src_->data(), src_->data() + n, '\n'));
    src_->consume(n);
  }
  std::string where(std::uint64_t line, std::uint64_t offset) const {
    return "line " + std::to_string(line) + ", byte " + std::to_string(offset);
  }
  [[noreturn]] void fail_here(const std::string& what, bool truncated = false) const {
    throw TraceError(src_->name() + ": " + where(line_, src_->offset()) + ": " + what, truncated);
  }
  [[noreturn]] void fail_event(const std::string& what, std::size_t offset_in_event = 0) const {
    throw TraceError(src_->name() + ": event " + std::to_string(events_) + " (" +
                     where(last_line_, last_offset_ + offset_in_event) + "): " + what);
  }
  [[noreturn]] void fail_truncated(const std::string& context) const {
    throw TraceError(src_->name() + ": " + where(line_, src_->offset()) +
                         ": truncated: " + std::to_string(events_) + " events recovered (" + context + ")",
                     true);
  }
  void check_event_count() const {
    if (header_.event_count > events_) {
      fail_truncated("the header promises " + std::to_string(header_.event_count) + " events");
    }
    if (header_.event_count != 0 && header_.event_count != events_) {
      fail_here("the header promises " + std::to_string(header_.event_count) + " events but the trace has " +
                std::to_string(events_));
    }
  }

  std::unique_ptr<ByteSource> src_;
  TraceHeader header_;
  std::uint64_t events_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t last_line_ = 1;
  std::uint64_t last_offset_ = 0;
  bool done_ = false;

 private:
  std::string pending_;
  bool pending_truncated_ = false;
};

}  // namespace fa32::traces::detail
