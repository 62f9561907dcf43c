// A key given twice in a trace header is an error in every format: the
// JSON reader refused it, but the JSON Lines and binary readers (whose
// header is JSON too) kept the last value without a word.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <zlib.h>

#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {

// A binary trace with no events whose header JSON is header_json, as is.
std::string binary_with_header(const std::string& header_json) {
  std::string bin(
      "\x89"
      "FA32\r\n\x1a\x01",
      9);
  for (std::size_t v = header_json.size();; v >>= 7) {  // LEB128 header length
    if (v < 0x80) {
      bin += static_cast<char>(v);
      break;
    }
    bin += static_cast<char>((v & 0x7f) | 0x80);
  }
  bin += header_json;
  bin += std::string("\x07\x00", 2);  // trailer: no events
  const auto crc =
      static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bin.data()), bin.size()));
  for (int shift = 0; shift < 32; shift += 8) bin += static_cast<char>((crc >> shift) & 0xff);
  return bin;
}

const std::string kFormat = R"("format":"fa32-trace","version":1)";

}  // namespace

TEST_CASE("the binary test helper builds a valid trace") {
  CHECK(read_error(binary_with_header(R"({"id_bound":4})")).empty());
}

TEST_CASE("a duplicate header key is refused by every reader, with the same message") {
  struct Case {
    std::string keys;  // header keys without format and version
    std::string message;
  };
  const Case cases[] = {
      {R"("id_bound":4,"id_bound":8)", "duplicate header key \"id_bound\""},
      {R"("event_count":0,"event_count":0)", "duplicate header key \"event_count\""},
      {R"("metadata":{},"metadata":{"a":"b"})", "duplicate header key \"metadata\""},
      {R"("metadata":{"seed":"1","seed":"2"})", "duplicate key \"seed\" in header key \"metadata\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.keys);
    CHECK(read_error("{" + kFormat + "," + c.keys + ",\"events\":[]}").find(c.message) != std::string::npos);
    CHECK(read_error("{" + kFormat + "," + c.keys + "}\n").find(c.message) != std::string::npos);
    CHECK(read_error(binary_with_header("{" + c.keys + "}")).find(c.message) != std::string::npos);
  }
  // format and version, which the binary header leaves out.
  CHECK(read_error("{" + kFormat + ",\"version\":1}\n").find("duplicate header key \"version\"") !=
        std::string::npos);
  CHECK(read_error("{" + kFormat + ",\"format\":\"fa32-trace\"}\n").find("duplicate header key \"format\"") !=
        std::string::npos);
}

TEST_CASE("equal keys in different objects, or deeper than the header reads, are no duplicates") {
  // metadata may hold a key named like a header key.
  CHECK(read_error("{" + kFormat + R"(,"metadata":{"version":"x","id_bound":"y"}})" + "\n").empty());
  // A JSON Lines trace without a header line: its first event is parsed
  // as an event, whose own duplicate check names the event.
  CHECK(read_error("{\"op\":\"malloc\",\"id\":1,\"id\":2,\"size\":1}\n").find("duplicate key \"id\"") !=
        std::string::npos);
}
