// Every way a reader can refuse input, and the message it gives.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <zlib.h>

#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {
const std::string kJsonHead = R"({"format":"fa32-trace","version":1,"events":[)";
const std::string kJsonlHead = "{\"format\":\"fa32-trace\",\"version\":1}\n";

std::string json_with(const std::string& event) {
  return kJsonHead + event + "]}";
}
std::string jsonl_with(const std::string& event) {
  return kJsonlHead + event + "\n";
}
}  // namespace

TEST_CASE("input that is no trace at all") {
  CHECK(read_error("").find("empty input") != std::string::npos);
  CHECK(read_error("hello world").find("not a trace") != std::string::npos);
  CHECK(read_error("[1,2,3]").find("not a trace") != std::string::npos);
  CHECK(read_error(std::string("\x89"
                               "FA32",
                               5))
            .find("not a trace") != std::string::npos);
}

TEST_CASE("newer versions are rejected clearly in every format") {
  std::string bin = write_bytes(Format::binary, {}, {});
  bin[8] = 2;  // the version varint follows the 8 magic bytes
  CHECK(read_error(bin).find("version 2 is newer than this reader supports (1)") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":3,"events":[]})").find("version 3 is newer") !=
        std::string::npos);
  CHECK(read_error("{\"format\":\"fa32-trace\",\"version\":9}\n").find("version 9 is newer") !=
        std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":0,"events":[]})").find("version 0") !=
        std::string::npos);
}

TEST_CASE("JSON header errors") {
  CHECK(read_error(R"({"format":"other","version":1,"events":[]})").find("not an fa32 trace") !=
        std::string::npos);
  CHECK(read_error(R"({"version":1,"events":[]})").find("no \"format\"") != std::string::npos);
  // Not a trace at all: a report (its events is an object of counts), a
  // bench report, a config; in JSON and on one line (read as JSON Lines).
  for (const char* report :
       {R"({"schema_version":1,"trace":{},"allocator":{},"events":{"total":0}})",
        "{\n\"schema_version\":1,\"trace\":{},\"allocator\":{},\"events\":{\"total\":0}}",
        "{\n\"clock\":\"cpu\",\"command\":\"bench\",\"workloads\":[]}"}) {
    INFO(report);
    CHECK(read_error(report).find("not a trace but an fa32 report") != std::string::npos);
    CHECK(read_error(report).find("unknown header key") == std::string::npos);
  }
  CHECK(read_error("{\n\"classes\":[16,32],\"cache\":2}")
            .find("not an fa32 trace: the object has no \"format\"") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","events":[]})").find("no \"version\"") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"colour":"red","events":[]})")
            .find("unknown header key \"colour\"") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"metadata":{"pid":12},"events":[]})")
            .find("metadata value \"pid\" must be a string") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"id_bound":-1,"events":[]})")
            .find("\"id_bound\" must be a non-negative integer") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"version":1,"events":[]})")
            .find("duplicate header key") != std::string::npos);
  CHECK(read_error("{\n\"format\":\"fa32-trace\",\"version\":1}").find("no \"events\" array") !=
        std::string::npos);
  // On one line, the same object is a JSON Lines header: an empty trace.
  CHECK(read_error(R"({"format":"fa32-trace","version":1})").empty());
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"events":{}})").find("expected '['") !=
        std::string::npos);
}

TEST_CASE("a deeply nested header value is named by its type, not echoed (nor a stack overflow)") {
  // 200,000 levels: printing the value (json::dump recurses per level)
  // overflowed the stack; the message now names the type. Parsing and
  // destroying it must not recurse either (nlohmann/json >= 3.10 does not).
  const std::size_t n = 200000;
  const std::string deep = std::string(n, '[') + std::string(n, ']');
  struct Case {
    std::string key_value;
    std::string message;
  };
  const Case cases[] = {
      {"\"id_bound\":" + deep, "\"id_bound\" must be a non-negative integer, got an array"},
      {"\"event_count\":" + deep, "\"event_count\" must be a non-negative integer, got an array"},
      {"\"metadata\":" + deep, "\"metadata\" must be an object of strings, got an array"},
      {"\"metadata\":{\"x\":" + deep + "}", "metadata value \"x\" must be a string, got an array"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    std::string head = R"({"format":"fa32-trace","version":1,)" + c.key_value;
    for (const std::string& bytes : {head + ",\"events\":[]}", head + "}\n"}) {
      std::string err = read_error(bytes);
      CHECK(err.find(c.message) != std::string::npos);
      CHECK(err.size() < 300);
    }
  }
  // The binary header (without format and version) goes the same way.
  std::string hj = "{\"id_bound\":" + deep + "}";
  std::string bin(
      "\x89"
      "FA32\r\n\x1a\x01",
      9);
  for (std::size_t v = hj.size();; v >>= 7) {  // LEB128 header length
    if (v < 0x80) {
      bin += static_cast<char>(v);
      break;
    }
    bin += static_cast<char>((v & 0x7f) | 0x80);
  }
  bin += hj;
  CHECK(read_error(bin).find("\"id_bound\" must be a non-negative integer, got an array") !=
        std::string::npos);
  // format and version: also named, and a long string is cut short.
  CHECK(read_error("{\"format\":" + deep + ",\"version\":1}\n").find("\"format\" is an array") !=
        std::string::npos);
  CHECK(read_error("{\"format\":\"fa32-trace\",\"version\":" + deep + "}\n")
            .find("\"version\" must be a positive integer, got an array") != std::string::npos);
  std::string long_format = read_error("{\"format\":\"" + std::string(100000, 'x') + "\",\"version\":1}\n");
  CHECK(long_format.find("\"format\" is \"xxxx") != std::string::npos);
  CHECK(long_format.size() < 300);
  // Scalars are still printed.
  CHECK(read_error("{\"format\":\"fa32-trace\",\"version\":1,\"id_bound\":-3}\n").find("got -3") !=
        std::string::npos);
}

TEST_CASE("a JSON header cut short says where") {
  CHECK(read_error("{\n\"format\":\"fa32-trace\"").find("input ends inside the header") != std::string::npos);
  CHECK(read_error("{\n\"format\":\"fa32-trace\", \"version\"")
            .find("input ends where ':' was expected after a key") != std::string::npos);
  CHECK(read_error("{\n\"format\":\"fa32-trace\", \"version\":1, \"events\":")
            .find("input ends where '[' was expected to open \"events\"") != std::string::npos);
}

TEST_CASE("JSON and JSON Lines event errors name the event, line and byte") {
  struct Case {
    std::string event;
    std::string message;
  };
  const Case cases[] = {
      {R"({"op":"malloc","id":1,"size":-5})",
       "\"size\" must be a non-negative integer, got a negative number"},
      {R"({"op":"malloc","id":1,"size":1.5})", "\"size\" must be a non-negative integer below 2^64, got 1.5"},
      {R"({"op":"malloc","id":1,"size":99999999999999999999})", "below 2^64"},
      {R"({"op":"mmap","id":1})", "unknown op \"mmap\""},
      {R"({"op":7,"id":1})", "\"op\" must be a string"},
      {R"({"id":1,"size":3})", "the event has no \"op\""},
      {R"({"op":"free"})", "the event has no \"id\""},
      {R"({"op":"free","id":1,"id":2})", "duplicate key \"id\""},
      {R"({"op":"free","id":1,"colour":2})", "unknown event key \"colour\""},
      {R"({"op":"free","id":1,"thread":4294967296})", "does not fit 32 bits"},
      {R"({"op":"free","id":null})", "\"id\" cannot be null"},
      {R"({"op":"free","id":true})", "\"id\" cannot be a boolean"},
      {R"({"op":"free","id":"1"})", "\"id\" cannot be a string"},
      {R"({"op":"free","id":[1]})", "\"id\" cannot be an array"},
      {R"({"op":"free","id":{"a":1}})", "\"id\" cannot be an object"},
      {R"({"op":"free" "id":1})", "invalid JSON"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.event);
    std::string j = read_error(json_with(R"({"op":"malloc","id":0,"size":1},)"
                                         "\n" +
                                         c.event));
    CHECK(j.find(c.message) != std::string::npos);
    CHECK(j.find("t: event 1 (line 2, byte ") != std::string::npos);
    std::string l = read_error(jsonl_with(R"({"op":"malloc","id":0,"size":1})"
                                          "\n" +
                                          c.event));
    CHECK(l.find(c.message) != std::string::npos);
    CHECK(l.find("t: event 1 (line 3, byte ") != std::string::npos);
  }
  // A JSON Lines event that is not an object at all.
  CHECK(read_error(jsonl_with("[1,2]")).find("expected an event object") != std::string::npos);
  CHECK(read_error(jsonl_with("42")).find("expected an event object") != std::string::npos);
  CHECK(read_error(json_with("42")).find("expected an event object") != std::string::npos);
}

TEST_CASE("JSON structure errors") {
  CHECK(
      read_error(kJsonHead + R"({"op":"free","id":1} {"op":"free","id":2}]})").find("expected ',' or ']'") !=
      std::string::npos);
  CHECK(read_error(kJsonHead + R"({"op":"free","id":1}], "more": 1})")
            .find("\"events\" must be the last key") != std::string::npos);
  CHECK(
      read_error(kJsonHead + R"({"op":"free","id":1}]} trailing)").find("unexpected data after the trace") !=
      std::string::npos);
  CHECK(read_error(kJsonHead + R"({"op":"free","id":1}] x)").find("expected '}'") != std::string::npos);
}

TEST_CASE("header promises are checked: event_count and id_bound") {
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"event_count":2,"events":[{"op":"malloc","id":0}]})")
            .find("truncated: 1 events recovered (the header promises 2 events)") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"event_count":1,"events":[{"op":"malloc","id":0},)"
                   R"({"op":"free","id":0}]})")
            .find("promises 1 events but the trace has 2") != std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1,"id_bound":4,"events":[{"op":"malloc","id":4}]})")
            .find("id 4 is not below the header's id_bound 4") != std::string::npos);
  CHECK(read_error("{\"format\":\"fa32-trace\",\"version\":1,\"id_bound\":1}\n{\"op\":\"malloc\",\"id\":3}\n")
            .find("id 3 is not below the header's id_bound 1") != std::string::npos);
  // Writers refuse to break the promises too.
  TraceHeader h;
  h.id_bound = 2;
  h.event_count = 1;
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    std::ostringstream out;
    auto w = create_writer(out, f, h);
    Event e;
    e.id = 2;
    CHECK_THROWS_AS(w->write(e), std::invalid_argument);
    CHECK_THROWS_AS(w->finish(), std::invalid_argument);
  }
}

TEST_CASE("binary corruption is detected") {
  auto events = sample_events();
  std::string good = write_bytes(Format::binary, {}, events);
  REQUIRE(read_error(good).empty());

  SUBCASE("bad magic") {
    std::string b = good;
    b[3] = 'X';
    CHECK(read_error(b).find("not a trace") != std::string::npos);
  }
  SUBCASE("an invalid record tag") {
    std::string b = good;
    std::size_t first_record = 8 + 1 + 1 + 2;  // magic, version, header length 2, "{}"
    b[first_record] = 0x05;
    std::string e = read_error(b);
    CHECK(e.find("t: event 0 (byte 12): invalid record tag 0x05") != std::string::npos);
  }
  SUBCASE("a flipped bit in a record fails the checksum") {
    std::string b = good;
    b[14] = static_cast<char>(b[14] ^ 0x01);
    std::string e = read_error(b);
    CHECK(!e.empty());
  }
  SUBCASE("a flipped bit in the stored checksum") {
    std::string b = good;
    b[b.size() - 1] = static_cast<char>(b.back() ^ 0x40);
    CHECK(read_error(b).find("checksum mismatch") != std::string::npos);
  }
  SUBCASE("the trailer count disagrees") {
    std::string b = good;
    b[b.size() - 5] = static_cast<char>(events.size() + 1);
    CHECK(read_error(b).find("the trailer counts 11 events but 10 were read") != std::string::npos);
  }
  SUBCASE("data after the trailer") {
    CHECK(read_error(good + "x").find("unexpected data after the trailer") != std::string::npos);
  }
  SUBCASE("an over-long varint") {
    std::string b =
        good.substr(0, 12) + std::string("\x00", 1) + std::string(10, '\xff') + std::string(70, '\x00');
    CHECK(read_error(b).find("over-long varint") != std::string::npos);
  }
  SUBCASE("a header that is not JSON") {
    std::string b = good;
    b[10] = 'x';
    CHECK(read_error(b).find("the header is not valid JSON") != std::string::npos);
  }
}

TEST_CASE("truncation at every byte: the complete events, then \"truncated: N events recovered\"") {
  auto events = sample_events();
  // JSON Lines has no trailer: its header's event_count is what detects a
  // cut at a line boundary (writers record it whenever it is known).
  TraceHeader h;
  h.event_count = events.size();
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    CAPTURE(format_name(f));
    std::string good = write_bytes(f, h, events);
    std::size_t last = 0;
    for (std::size_t len = 1; len < good.size(); ++len) {
      CAPTURE(len);
      std::size_t n = 0;
      bool truncated = false;
      std::string e = read_error(good.substr(0, len), &n, &truncated);
      if (f != Format::binary && len >= good.size() - 1) {
        // Only the final newline is missing: every event is complete.
        CHECK(e.empty());
        continue;
      }
      REQUIRE_FALSE(e.empty());
      if (e.find("not a trace") != std::string::npos || e.find("empty input") != std::string::npos) continue;
      CHECK(truncated);
      CHECK(e.find("truncated: " + std::to_string(n) + " events recovered") != std::string::npos);
      CHECK(n >= last);  // never fewer events from a longer prefix
      last = n;
    }
    // JSON Lines: the longest damaged prefix cuts into the last event.
    CHECK(last == (f == Format::jsonl ? events.size() - 1 : events.size()));
  }
}

TEST_CASE("events come before the error, and the error is repeated") {
  std::string good = write_bytes(Format::binary, {}, sample_events());
  auto r = open_trace_bytes(good.substr(0, good.size() - 6), "cut");
  std::vector<Event> buf(100);
  std::size_t n = r->read(buf);
  CHECK(n == sample_events().size());
  CHECK_THROWS_WITH_AS(r->read(buf), doctest::Contains("truncated: 10 events recovered"), TraceError);
  CHECK_THROWS_AS(r->read(buf), TraceError);
}

TEST_CASE("a forced format reads only its own kind") {
  std::string json = write_bytes(Format::json, {}, sample_events());
  CHECK_THROWS_WITH_AS(open_trace_bytes(json, "x", Format::binary), doctest::Contains("bad magic"),
                       TraceError);
  std::string bin = write_bytes(Format::binary, {}, sample_events());
  CHECK_THROWS_AS(open_trace_bytes(bin, "x", Format::jsonl), TraceError);
  CHECK_THROWS_AS(open_trace_bytes(bin, "x", Format::json), TraceError);
}

// The readers refuse a header over 1 MiB, so the writers must not write one:
// convert of a JSON trace whose metadata was just under the limit wrote a
// binary or JSON Lines trace no reader could open, and exited 0.
TEST_CASE("writers refuse a header the readers would refuse, and take one that fits") {
  constexpr std::size_t kLimit = 1 << 20;
  // {"format":"fa32-trace","version":1,"metadata":{"k":"..."}} is 55 bytes around the value.
  TraceHeader fits;
  fits.metadata["k"] = std::string(kLimit - 56, 'x');
  TraceHeader over;
  over.metadata["k"] = std::string(kLimit - 55, 'x');
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    CAPTURE(format_name(f));
    std::string bytes = write_bytes(f, fits, sample_events());
    CHECK(read_error(bytes).empty());
    CHECK(open_trace_bytes(bytes, "t")->header() == fits);
    std::ostringstream out;
    CHECK_THROWS_AS(create_writer(out, f, over), std::invalid_argument);
    CHECK(out.str().empty());
  }
}

// Version 1 written as a ten-byte varint put the header length's varint
// at bytes 18-27 of a 24-byte copy of the preamble: a stack read past its
// end (AddressSanitizer: stack-buffer-overflow in read_preamble).
TEST_CASE("binary: over-long varints in the preamble are read within bounds") {
  const std::string magic(
      "\x89"
      "FA32\r\n\x1a",
      8);
  const std::string version_1_in_10_bytes("\x81\x80\x80\x80\x80\x80\x80\x80\x80\x00", 10);
  CHECK(read_error(magic + version_1_in_10_bytes + std::string(100, '\x80')).find("corrupt header length") !=
        std::string::npos);
  // Over-long but valid: header length 2 in ten bytes, "{}", an empty trace.
  std::string ok = magic + version_1_in_10_bytes +
                   std::string("\x82\x80\x80\x80\x80\x80\x80\x80\x80\x00", 10) + "{}" +
                   std::string("\x07\x00", 2);
  const auto crc =
      static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(ok.data()), ok.size()));
  for (int shift = 0; shift < 32; shift += 8) ok += static_cast<char>((crc >> shift) & 0xff);
  CHECK(read_error(ok).empty());
}

// A JSON Lines trace whose first line is longer than a line may be is told
// from its first line, so it reads as one JSON object, and failed with "the
// trace object has no "events" array" alone: the fault is the line's length.
TEST_CASE("a JSON Lines header line over 1 MiB is named as such, not only as a missing events array") {
  constexpr std::size_t kLimit = 1 << 20;
  // Two header values, each under the 1 MiB a value may hold, together over it.
  const std::string header = R"({"format":"fa32-trace","version":1,"metadata":{"k":")" +
                             std::string(kLimit / 2, 'x') + R"("},"name":")" + std::string(kLimit / 2, 'y') +
                             "\"}\n";
  const std::string long_line = header + "{\"op\":\"malloc\",\"id\":0,\"size\":8}\n";
  const std::string error = read_error(long_line);
  CHECK(error.find("no \"events\" array") != std::string::npos);
  CHECK(error.find("JSON Lines trace: its first line, the header, is longer than the 1 MiB") !=
        std::string::npos);
  // A JSON object without events, however long, and a short one followed by
  // another object, get no such hint: neither is a long JSON Lines header.
  const std::string lone = header.substr(0, header.size() - 1);
  CHECK(read_error(lone).find("no \"events\" array") != std::string::npos);
  CHECK(read_error(lone).find("JSON Lines") == std::string::npos);
  CHECK(read_error(R"({"format":"fa32-trace","version":1} {"op":"malloc"})").find("JSON Lines") ==
        std::string::npos);
}

// A header line of exactly 1 MiB of JSON (1 MiB and 1 byte with its
// newline, one past the limit) got "no \"events\" array" without the hint
// that a longer one gets: the hint was given from one byte further on.
TEST_CASE("a JSON Lines header line one byte over 1 MiB gets the long-line hint, one at 1 MiB reads") {
  constexpr std::size_t kLimit = 1 << 20;
  const std::string head = R"({"format":"fa32-trace","version":1,"metadata":{"k":")";
  const std::string tail = "\"}}";
  const std::string event = "{\"op\":\"malloc\",\"id\":0,\"size\":8}\n";
  // The line with its newline is kLimit + 1 bytes: over.
  const std::string over = head + std::string(kLimit - head.size() - tail.size(), 'x') + tail + "\n" + event;
  CHECK(read_error(over).find("its first line, the header, is longer than the 1 MiB") != std::string::npos);
  // One byte shorter, the line is exactly 1 MiB with its newline: a trace.
  const std::string at =
      head + std::string(kLimit - 1 - head.size() - tail.size(), 'x') + tail + "\n" + event;
  CHECK(read_error(at).empty());
}
