// docs/trace-format.md's edge rules, each on a trace put together by hand
// (hex for the binary format), where no other test pins it.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <zlib.h>

#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

// Magic, version 1, the header JSON, the records, a trailer counting
// `count` events and the CRC-32 of it all.
std::string binary(const std::string& header, const std::string& records_hex, unsigned count) {
  std::string b = from_hex("89 46 41 33 32 0d 0a 1a 01");
  b += static_cast<char>(header.size());
  b += header;
  b += from_hex(records_hex);
  b += static_cast<char>(0x07);
  b += static_cast<char>(count);
  const auto crc = static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(b.data()), b.size()));
  for (int i = 0; i < 4; ++i) b += static_cast<char>((crc >> (8 * i)) & 0xff);
  return b;
}

const std::string kJsonHead = R"({"format":"fa32-trace","version":1,"events":[)";

}  // namespace

TEST_CASE("spec: the examples are what the writers write, byte for byte") {
  const std::string json =
      R"({"format":"fa32-trace","version":1,"id_bound":16,"event_count":4,"metadata":{"producer":"by hand"},"events":[)"
      "\n"
      R"({"op":"malloc","id":0,"size":24},)"
      "\n"
      R"({"op":"calloc","id":1,"size":8,"count":10,"thread":2},)"
      "\n"
      R"({"op":"realloc","id":0,"size":4096},)"
      "\n"
      R"({"op":"free","id":0})"
      "\n]}\n";
  std::string expected = from_hex("89 46 41 33 32 0d 0a 1a 01 41");
  expected += R"({"id_bound":16,"event_count":4,"metadata":{"producer":"by hand"}})";
  expected += from_hex("20 00 18  69 02 02 08 0a  2a 01 00 80 20  03 00  07 04 3d 56 d2 96");
  auto r = open_trace_bytes(json, "example.json");
  const std::vector<Event> events = read_all(*r);
  REQUIRE(events.size() == 4);
  CHECK(write_bytes(Format::binary, r->header(), events) == expected);
  CHECK(write_bytes(Format::json, r->header(), events) == json);  // the writer's layout, as shown
  auto b = open_trace_bytes(expected, "example.fa32");
  CHECK(read_all(*b) == events);
  CHECK(b->header() == r->header());
  const std::string jsonl =
      "{\"format\":\"fa32-trace\",\"version\":1,\"id_bound\":24,\"event_count\":3}\n"
      "{\"op\":\"malloc\",\"id\":0,\"size\":48}\n{\"op\":\"realloc\",\"id\":0,\"size\":96}\n"
      "{\"op\":\"free\",\"id\":0}\n";
  auto l = open_trace_bytes(jsonl, "example.jsonl");
  const std::vector<Event> lines = read_all(*l);
  REQUIRE(lines.size() == 3);
  CHECK(write_bytes(Format::jsonl, l->header(), lines) == jsonl);
}

TEST_CASE("spec: binary tags, varints and thread ids at their limits") {
  // Ops 5 and 6 are invalid, and so is 7 with a flag (only a bare 0x07 is
  // the trailer).
  for (const char* tag : {"05", "06", "0f", "27"}) {
    CAPTURE(tag);
    CHECK(read_error(binary("{}", std::string(tag) + " 00", 1))
              .find("invalid record tag 0x" + std::string(tag)) != std::string::npos);
  }
  // A varint is at most 10 bytes: the tenth holds bit 63 only.
  CHECK(read_error(binary("{}", "20 00 ff ff ff ff ff ff ff ff ff 01", 1)).empty());
  CHECK(read_error(binary("{}", "20 00 ff ff ff ff ff ff ff ff ff 02", 1)).find("over-long varint") !=
        std::string::npos);
  CHECK(read_error(binary("{}", "20 00 ff ff ff ff ff ff ff ff ff 80 01", 1)).find("over-long varint") !=
        std::string::npos);
  // A thread is 32 bits.
  CHECK(read_error(binary("{}", "08 00 ff ff ff ff 0f", 1)).empty());
  CHECK(read_error(binary("{}", "08 00 80 80 80 80 10", 1)).find("thread id out of range (corrupt data)") !=
        std::string::npos);
  // id_bound is one past the largest id: the id equal to it is refused.
  CHECK(read_error(binary(R"({"id_bound":2})", "00 02", 1)).empty());
  CHECK(
      read_error(binary(R"({"id_bound":2})", "00 04", 1)).find("id 2 is not below the header's id_bound 2") !=
      std::string::npos);
}

TEST_CASE("spec: a finished binary trace whose header miscounts its events is corrupt, not truncated") {
  // The trailer says the writer finished: too few events than the header
  // promises is damage, not a cut, and too many is detected at the trailer.
  for (unsigned promised : {3u, 1u}) {
    CAPTURE(promised);
    std::size_t events = 0;
    bool truncated = true;
    const std::string err =
        read_error(binary("{\"event_count\":" + std::to_string(promised) + "}", "20 00 18  03 00", 2),
                   &events, &truncated);
    CHECK(err.find("the header promises " + std::to_string(promised) + " events but the trace has 2") !=
          std::string::npos);
    CHECK_FALSE(truncated);
    CHECK(events == 2);
  }
}

TEST_CASE("spec: a binary header may repeat format and version only as they are") {
  CHECK(read_error(binary(R"({"format":"fa32-trace","version":1})", "00 00", 1)).empty());
  CHECK(read_error(binary(R"({"version":2})", "00 00", 1)).find("version 2 is newer") != std::string::npos);
  CHECK(read_error(binary(R"({"format":"other"})", "00 00", 1)).find("not an fa32 trace") !=
        std::string::npos);
}

TEST_CASE("spec: JSON forms: byte-order mark, CRLF, blank lines, key order, plain integers") {
  std::size_t events = 0;
  CHECK(read_error("\xef\xbb\xbf" + kJsonHead + R"({"op":"malloc","id":0}]})", &events).empty());
  CHECK(events == 1);
  CHECK(read_error("\xef\xbb\xbf{\"format\":\"fa32-trace\",\"version\":1}\n{\"op\":\"free\",\"id\":0}\n",
                   &events)
            .empty());
  CHECK(events == 1);
  CHECK(read_error(
            "{\"format\":\"fa32-trace\",\"version\":1}\r\n\r\n{\"op\":\"malloc\",\"id\":0,\"size\":1}\r\n\n"
            "{\"op\":\"free\",\"id\":0}\r\n",
            &events)
            .empty());
  CHECK(events == 2);
  // version may come before format; both before events.
  CHECK(read_error(R"({"version":1,"format":"fa32-trace","events":[]})").empty());
  CHECK(read_error(R"({"format":"fa32-trace","events":[],"version":1})")
            .find("\"format\" and \"version\" must come before \"events\"") != std::string::npos);
  // A number is a plain non-negative integer: 1.0 and 1e2 are refused too.
  for (const char* size : {"1.0", "1e2", "1.5"}) {
    CAPTURE(size);
    CHECK(read_error(kJsonHead + R"({"op":"malloc","id":0,"size":)" + size + "}]}")
              .find("\"size\" must be a non-negative integer below 2^64, got " + std::string(size)) !=
          std::string::npos);
  }
}

TEST_CASE("spec: a JSON header error hints at key order only when format or version is missing") {
  const std::string hint = "must come before \"events\"";
  // Given in order but wrong: the hint would send the user to fix what is right.
  for (const char* head : {R"({"format":"fa32-trace","version":2,"events":[]})",
                           R"({"format":"fa32-trace","version":1,"metadata":null,"events":[]})",
                           R"({"format":"fa32-trace","version":1,"id_bound":[1],"events":[]})",
                           R"({"format":"fa32-trace","version":1,"foo":1,"events":[]})",
                           R"({"format":"other","version":1,"events":[]})"}) {
    CAPTURE(head);
    const std::string err = read_error(head);
    CHECK(!err.empty());
    CHECK(err.find(hint) == std::string::npos);
  }
  // Missing before "events": the hint says why.
  for (const char* head : {R"({"version":1,"events":[],"format":"fa32-trace"})",
                           R"({"format":"fa32-trace","events":[],"version":1})"}) {
    CAPTURE(head);
    CHECK(read_error(head).find(hint) != std::string::npos);
  }
}

TEST_CASE("spec: a header the writers refuse as over 1 MiB is refused by every reader") {
  // validate took a binary or JSON trace whose header was 1 MiB, and every
  // convert of it, to its own format too, then failed: the writers measure
  // the header as its JSON Lines line.
  const std::size_t limit = std::size_t{1} << 20;
  // {"format":"fa32-trace","version":1,"metadata":{"a":"..."}} plus a newline.
  const std::string line_head = R"({"format":"fa32-trace","version":1,"metadata":{"a":")";
  for (std::size_t line : {limit, limit + 1}) {
    CAPTURE(line);
    const std::string value(line - line_head.size() - std::string(R"("}})").size() - 1, 'x');
    const std::string meta = R"({"a":")" + value + R"("})";
    const std::string json =
        R"({"format":"fa32-trace","version":1,"metadata":)" + meta + R"(,"events":[{"op":"malloc","id":0}]})";
    const std::string header = R"({"metadata":)" + meta + "}";
    std::string bin = from_hex("89 46 41 33 32 0d 0a 1a 01");
    for (std::size_t v = header.size(); v != 0; v >>= 7) {
      bin += static_cast<char>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    }
    bin += header + from_hex("00 00 07 01");
    const auto crc =
        static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bin.data()), bin.size()));
    for (int i = 0; i < 4; ++i) bin += static_cast<char>((crc >> (8 * i)) & 0xff);
    for (const std::string& trace : {json, bin}) {
      const std::string err = read_error(trace);
      if (line == limit) {
        CHECK(err.empty());
        // What a reader takes, every writer writes.
        auto r = open_trace_bytes(trace, "t");
        for (Format f : {Format::binary, Format::json, Format::jsonl}) {
          CHECK_NOTHROW(write_bytes(f, r->header(), {}));
        }
      } else {
        CHECK(err.find("the header is " + std::to_string(line) + " bytes as a JSON Lines line") !=
              std::string::npos);
      }
    }
  }
}
