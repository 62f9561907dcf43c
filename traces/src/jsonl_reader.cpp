// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstring>
#include <nlohmann/json.hpp>

#include "json_event.hpp"
#include "readers.hpp"
#include "text_reader.hpp"

namespace fa32::traces::detail {
namespace {

bool blank(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  }
  return true;
}

class JsonlReader final : public TextReader {
 public:
  explicit JsonlReader(std::unique_ptr<ByteSource> src) : TextReader(std::move(src)) { read_header(); }
  Format format() const override { return Format::jsonl; }

 private:
  struct Line {
    std::size_t length = 0;  // without the newline
    bool terminated = false;
  };

  // Finds the line at the front of the window; false at end of input.
  bool peek_line(Line& line) {
    std::size_t scanned = 0;
    for (;;) {
      std::size_t avail = src_->available();
      const void* nl = avail > scanned ? std::memchr(src_->data() + scanned, '\n', avail - scanned) : nullptr;
      if (nl) {
        line.length = static_cast<std::size_t>(static_cast<const char*>(nl) - src_->data());
        line.terminated = true;
        return true;
      }
      scanned = avail;
      if (avail > kMaxTokenBytes) fail_here("a line is longer than 1 MiB");
      if (src_->ensure(avail + 1) == avail) {
        line.length = avail;
        line.terminated = false;
        return avail > 0;
      }
    }
  }
  void drop_line(const Line& line) { consume(line.length + (line.terminated ? 1 : 0)); }

  void read_header() {
    if (src_->ensure(3) >= 3 && std::memcmp(src_->data(), "\xEF\xBB\xBF", 3) == 0) src_->consume(3);
    Line line;
    while (peek_line(line) && blank(src_->data(), line.length)) drop_line(line);
    if (line.length == 0) fail_here("empty input: no header line and no events");
    nlohmann::json j;
    std::string err = parse_header_json(src_->data(), src_->data() + line.length, j);
    if (j.is_discarded() || !j.is_object()) {
      if (!line.terminated) fail_truncated("the header line is incomplete");
      fail_here("the first line is not a JSON object (expected the trace header)");
    }
    if (j.contains("op")) return;  // no header line: the first line is an event
    if (!err.empty()) fail_here(err);
    err = header_from_json(j, header_, true);
    if (!err.empty()) fail_here("header: " + err);
    drop_line(line);
  }

  bool next_event(Event& e) override {
    Line line;
    for (;;) {
      if (!peek_line(line)) {
        check_event_count();
        done_ = true;
        return false;
      }
      if (!blank(src_->data(), line.length)) break;
      drop_line(line);
    }
    mark();
    std::size_t off = 0;
    std::string err = parse_json_event(src_->data(), src_->data() + line.length, e, &off);
    if (!err.empty()) {
      if (!line.terminated && err.rfind("invalid JSON", 0) == 0)
        fail_truncated("the last line is incomplete");
      fail_event(err, off);
    }
    drop_line(line);
    return true;
  }
};

}  // namespace

std::unique_ptr<TraceReader> make_jsonl_reader(std::unique_ptr<ByteSource> src) {
  return std::make_unique<JsonlReader>(std::move(src));
}

}  // namespace fa32::traces::detail
