// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdexcept>

#include "header_json.hpp"
#include "json_event.hpp"
#include "writers.hpp"

namespace fa32::traces::detail {
namespace {

constexpr std::size_t kBufferBytes = 256 * 1024;
// No newline and an unterminated string: invalid JSON from its first key,
// so a reader stops with "truncated" before it could judge any field.
constexpr const char* kUnfinishedLine = "{\"unfinished: the writer stopped before the end of the trace";

// The single-object form puts the header keys first and "events" last, one
// event per line, so the reader can stream it and people can read it.
class JsonWriter final : public TraceWriter {
 public:
  JsonWriter(std::unique_ptr<ByteSink> sink, const TraceHeader& h, bool jsonl)
      : sink_(std::move(sink)), header_(h), jsonl_(jsonl) {
    buf_.reserve(kBufferBytes + 512);
    std::string head = header_text(h, true);
    if (jsonl_) {
      buf_ = head + "\n";
    } else {
      head.pop_back();  // the closing brace: "events" follows
      buf_ = head + ",\"events\":[";
    }
  }
  ~JsonWriter() override {
    if (!finished_) {
      try {
        // Complete JSON Lines alone read as a whole trace when the header
        // has no event_count (a pipe import, a headerless source): end with
        // a cut line, which every reader reports as truncated, as the
        // other formats do without their trailer or closing brackets.
        if (jsonl_) buf_ += kUnfinishedLine;
        flush();
      } catch (...) {  // nothing sensible to do in a destructor
      }
    }
  }

  void write(std::span<const Event> events) override {
    for (const Event& e : events) {
      if (header_.id_bound != 0 && e.id >= header_.id_bound) {
        throw std::invalid_argument("event " + std::to_string(count_) + ": id " + std::to_string(e.id) +
                                    " is not below the header's id_bound " +
                                    std::to_string(header_.id_bound));
      }
      if (!jsonl_ && count_ != 0) buf_ += ',';
      if (!jsonl_) buf_ += '\n';
      append_json_event(buf_, e);
      if (jsonl_) buf_ += '\n';
      ++count_;
      if (buf_.size() >= kBufferBytes) drain();
    }
  }

  void flush() override {
    drain();
    sink_->flush();
  }
  std::uint64_t events_written() const override { return count_; }

  void finish() override {
    if (finished_) return;
    if (header_.event_count != 0 && header_.event_count != count_) {
      throw std::invalid_argument("the header promises " + std::to_string(header_.event_count) +
                                  " events but " + std::to_string(count_) + " were written");
    }
    if (!jsonl_) buf_ += "\n]}\n";
    drain();
    sink_->finish();
    finished_ = true;
  }

 private:
  void drain() {
    if (buf_.empty()) return;
    sink_->write(buf_.data(), buf_.size());
    buf_.clear();
  }

  std::unique_ptr<ByteSink> sink_;
  TraceHeader header_;
  bool jsonl_;
  std::string buf_;
  std::uint64_t count_ = 0;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<TraceWriter> make_json_writer(std::unique_ptr<ByteSink> sink, const TraceHeader& h,
                                              bool jsonl) {
  return std::make_unique<JsonWriter>(std::move(sink), h, jsonl);
}

}  // namespace fa32::traces::detail
