// The single-object JSON form, streamed: a small structural scanner walks
// the top-level object and cuts the "events" array into one element at a
// time; nlohmann/json's SAX parser parses each element (and the header
// values) from the bounded window. So memory stays flat however long the
// array, and events come out while the document is still being read.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstring>
#include <nlohmann/json.hpp>

#include "json_event.hpp"
#include "readers.hpp"
#include "text_reader.hpp"

namespace fa32::traces::detail {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

class JsonReader final : public TextReader {
 public:
  explicit JsonReader(std::unique_ptr<ByteSource> src) : TextReader(std::move(src)) { read_header(); }
  Format format() const override { return Format::json; }

 private:
  // Skips whitespace; returns the next byte, or -1 at end of input.
  int peek() {
    for (;;) {
      std::size_t avail = src_->available();
      if (avail == 0 && src_->ensure(1) == 0) return -1;
      avail = src_->available();
      const char* p = src_->data();
      std::size_t i = 0;
      while (i < avail && is_ws(p[i])) ++i;
      consume(i);
      if (i < avail) return static_cast<unsigned char>(p[i]);
    }
  }

  // Length of the JSON value at the front of the window (the whole value is
  // then in the window). Only finds its end; nlohmann checks the syntax.
  std::size_t value_extent(const char* what) {
    std::size_t i = 0;
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    if (src_->ensure(1) == 0) return 0;
    char first = src_->data()[0];
    bool scalar = first != '{' && first != '[' && first != '"';
    for (;;) {
      if (i >= src_->available()) {
        if (i > kMaxTokenBytes) fail_here(std::string(what) + " is longer than 1 MiB");
        if (src_->ensure(i + 1) <= i) {
          if (scalar && i > 0) return i;
          fail_truncated(std::string("input ends inside ") + what);
        }
      }
      const char* p = src_->data();
      std::size_t avail = src_->available();
      for (; i < avail; ++i) {
        char c = p[i];
        if (in_string) {
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            in_string = false;
            if (depth == 0) return i + 1;
          }
        } else if (scalar) {
          if (is_ws(c) || c == ',' || c == '}' || c == ']') return i;
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return i + 1;
        }
      }
    }
  }

  void expect(char c, const char* context) {
    int got = peek();
    // context says where c belongs ("between header keys"), so the message
    // names c and the place rather than "input ends before " + context.
    if (got == -1) fail_truncated(std::string("input ends where '") + c + "' was expected " + context);
    if (got != c) {
      fail_here(std::string("expected '") + c + "' " + context + ", got '" + static_cast<char>(got) + "'");
    }
    consume(1);
  }

  // At the '}' of a first object without "events": a JSON Lines trace
  // whose header line is longer than a line may be is read as one JSON
  // object (the format is told by its first line), and "no events array"
  // alone would send the user looking for the wrong fault.
  std::string jsonl_hint() {
    // The object runs through this '}': offset + 1 bytes, and its line
    // with the newline one more, so at offset + 1 == 1 MiB it is over.
    if (src_->offset() + 1 < kMaxTokenBytes) return {};
    const std::size_t n = src_->ensure(64);
    const char* p = src_->data();
    std::size_t i = 1;  // past the '}'
    while (i < n && is_ws(p[i])) ++i;
    if (i == n || p[i] != '{') return {};
    return " (if this is a JSON Lines trace: its first line, the header, is longer than the " +
           std::to_string(kMaxTokenBytes >> 20) + " MiB a line may hold)";
  }

  void read_header() {
    if (src_->ensure(3) >= 3 && std::memcmp(src_->data(), "\xEF\xBB\xBF", 3) == 0) src_->consume(3);
    expect('{', "at the start of the trace");
    nlohmann::json header = nlohmann::json::object();
    for (bool first = true;; first = false) {
      int c = peek();
      if (c == '}') {
        // An object that is no trace at all (a report, a config) is named
        // as such, not as a trace missing its events.
        if (!header.contains("format")) fail_here("header: " + header_from_json(header, header_, true));
        fail_here("the trace object has no \"events\" array" + jsonl_hint());
      }
      if (!first) {
        // Cut right after a value: say so, as for a cut anywhere else in it.
        if (c == -1) fail_truncated("input ends inside the header");
        expect(',', "between header keys");
        c = peek();
      }
      if (c != '"') {
        if (c == -1) fail_truncated("input ends inside the header");
        fail_here("expected a key string in the trace object");
      }
      std::size_t n = value_extent("a key");
      nlohmann::json key = nlohmann::json::parse(src_->data(), src_->data() + n, nullptr, false);
      if (key.is_discarded()) fail_here("invalid key string");
      consume(n);
      expect(':', "after a key");
      std::string k = key.get<std::string>();
      if (k == "events") break;
      if (header.contains(k)) fail_here(duplicate_key_error(k, ""));
      if (peek() == -1) fail_truncated("input ends inside the header");
      n = value_extent("a header value");
      nlohmann::json v;
      std::string err = parse_header_json(src_->data(), src_->data() + n, v, &k);
      if (v.is_discarded()) fail_here("the value of \"" + k + "\" is not valid JSON");
      if (!err.empty()) fail_here(err);
      header[k] = std::move(v);
      consume(n);
    }
    std::string err = header_from_json(header, header_, true);
    if (!err.empty()) {
      // The order rule is the likely fault only when one of the two is
      // missing here; appended to every header error, it sent users to
      // reorder keys that were in order (a wrong version, a null metadata).
      const bool report = err.rfind("not a trace but an fa32 report", 0) == 0;
      const bool missing = !header.contains("format") || !header.contains("version");
      fail_here("header: " + err +
                (report || !missing ? "" : " (\"format\" and \"version\" must come before \"events\")"));
    }
    expect('[', "to open \"events\"");
  }

  bool next_event(Event& e) override {
    int c = peek();
    if (c == ']') {
      consume(1);
      finish_document();
      return false;
    }
    if (events_ != 0) {
      if (c == -1) fail_truncated("input ends inside the events array");
      if (c != ',')
        fail_here(std::string("expected ',' or ']' after an event, got '") + static_cast<char>(c) + "'");
      consume(1);
      c = peek();
    }
    if (c == -1) fail_truncated("input ends inside the events array");
    mark();
    if (c != '{') fail_event(std::string("expected an event object, got '") + static_cast<char>(c) + "'");
    std::size_t n = value_extent("an event");
    std::size_t off = 0;
    std::string err = parse_json_event(src_->data(), src_->data() + n, e, &off);
    if (!err.empty()) fail_event(err, off);
    consume(n);
    return true;
  }

  void finish_document() {
    int c = peek();
    if (c == ',') fail_here("keys after \"events\" are not supported: \"events\" must be the last key");
    if (c == -1) fail_truncated("input ends before the closing '}'");
    if (c != '}') fail_here("expected '}' after the events array");
    consume(1);
    if (peek() != -1) fail_here("unexpected data after the trace object");
    check_event_count();
    done_ = true;
  }
};

}  // namespace

std::unique_ptr<TraceReader> make_json_reader(std::unique_ptr<ByteSource> src) {
  return std::make_unique<JsonReader>(std::move(src));
}

}  // namespace fa32::traces::detail
