// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fa32/traces/generate.hpp"
#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {
TraceHeader sample_header() {
  TraceHeader h;
  h.metadata["producer"] = "test";
  h.metadata["command"] = "a \"quoted\" \\ command\nwith a newline and ünïcode";
  h.id_bound = 10;
  h.event_count = 10;
  return h;
}
const Format kFormats[] = {Format::binary, Format::json, Format::jsonl};
}  // namespace

TEST_CASE("every format round-trips every field exactly") {
  auto events = sample_events();
  TraceHeader h = sample_header();
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    std::string bytes = write_bytes(f, h, events);
    auto r = open_trace_bytes(bytes, "mem");
    CHECK(r->format() == f);
    CHECK(r->header() == h);
    CHECK(read_all(*r, 3) == events);
    CHECK(r->events_read() == events.size());
  }
}

TEST_CASE("every format pair converts losslessly, and back gives the same bytes") {
  GenOptions g;
  g.profile = "crypto-vm";
  g.events = 3000;
  g.threads = 3;
  auto gen = make_generator(g);
  auto events = read_all(*gen);
  TraceHeader h = gen->header();
  for (Format a : kFormats) {
    for (Format b : kFormats) {
      CAPTURE(format_name(a));
      CAPTURE(format_name(b));
      std::string first = write_bytes(a, h, events);
      auto ra = open_trace_bytes(first, "a");
      std::string second = write_bytes(b, ra->header(), read_all(*ra));
      auto rb = open_trace_bytes(second, "b");
      CHECK(rb->header() == h);
      std::string third = write_bytes(a, rb->header(), read_all(*rb));
      CHECK(third == first);
    }
  }
}

TEST_CASE("the largest ids round-trip JSON Lines -> binary -> JSON Lines") {
  // Any id up to 2^64 - 1 is valid when there is no id_bound (0); the binary
  // reader used UINT64_MAX as "no bound" and refused exactly 2^64 - 1, both
  // in its bulk decoder and at the tail, where it said "truncated".
  const std::uint64_t ids[] = {0, std::uint64_t{1} << 48, UINT64_MAX - 1, UINT64_MAX};
  for (std::size_t pairs : {std::size_t{1}, std::size_t{200}}) {  // the tail path, then the bulk one too
    CAPTURE(pairs);
    std::vector<Event> events;
    for (std::size_t i = 0; i < pairs; ++i) {
      for (std::uint64_t id : ids) {
        Event e;
        e.op = Op::malloc;
        e.id = id;
        e.size = 24;
        events.push_back(e);
      }
      for (std::uint64_t id : ids) {
        Event e;
        e.op = Op::free;
        e.id = id;
        events.push_back(e);
      }
    }
    std::string jsonl = write_bytes(Format::jsonl, {}, events);
    auto rj = open_trace_bytes(jsonl, "jsonl");
    std::string bin = write_bytes(Format::binary, rj->header(), read_all(*rj));
    auto rb = open_trace_bytes(bin, "bin");
    CHECK(read_all(*rb) == events);
    auto rb2 = open_trace_bytes(bin, "bin");
    CHECK(write_bytes(Format::jsonl, rb2->header(), read_all(*rb2)) == jsonl);
  }
  // With an id_bound, the largest id allowed is id_bound - 1, in every reader.
  TraceHeader h;
  h.id_bound = UINT64_MAX;
  Event e;
  e.id = UINT64_MAX - 1;
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    CHECK(read_error(write_bytes(f, h, {e})).empty());
  }
  // ... and id_bound - 1 + 1 = 2^64 - 1 is refused (the writers refuse to
  // write it, so the binary trace is put together by hand).
  CHECK(read_error("{\"format\":\"fa32-trace\",\"version\":1,\"id_bound\":18446744073709551615}\n"
                   "{\"op\":\"malloc\",\"id\":18446744073709551615}\n")
            .find("id 18446744073709551615 is not below the header's id_bound 18446744073709551615") !=
        std::string::npos);
  const std::string head = "{\"id_bound\":18446744073709551615}";
  std::string bin(
      "\x89"
      "FA32\r\n\x1a\x01",
      9);
  bin += static_cast<char>(head.size());
  bin += head;
  bin += std::string("\x00\x01", 2);  // malloc, id delta -1 (zigzag 1) from 0: id 2^64 - 1
  bin += std::string("\x07\x01", 2);  // trailer: 1 event
  auto crc = static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bin.data()), bin.size()));
  for (int i = 0; i < 4; ++i) bin += static_cast<char>((crc >> (8 * i)) & 0xff);
  CHECK(read_error(bin).find(
            "id 18446744073709551615 is not below the header's id_bound 18446744073709551615") !=
        std::string::npos);
}

TEST_CASE("empty traces and headers without optional fields round-trip") {
  TraceHeader h;
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    std::string bytes = write_bytes(f, h, {});
    auto r = open_trace_bytes(bytes, "mem");
    CHECK(r->format() == f);
    CHECK(r->header() == h);
    CHECK(read_all(*r).empty());
  }
}

TEST_CASE("sniffing picks the format from the first bytes") {
  auto events = sample_events();
  CHECK(sniff_format(write_bytes(Format::binary, {}, events)) == Format::binary);
  CHECK(sniff_format(write_bytes(Format::json, {}, events)) == Format::json);
  CHECK(sniff_format(write_bytes(Format::jsonl, {}, events)) == Format::jsonl);
  CHECK(sniff_format(R"({"format":"fa32-trace","version":1,"events":[]})") == Format::json);
  CHECK(sniff_format("{\"op\":\"malloc\",\"id\":0,\"size\":1}\n") == Format::jsonl);
  CHECK(sniff_format("  \n{\n \"format\": \"fa32-trace\",\n") == Format::json);
  CHECK_FALSE(sniff_format("hello"));
  CHECK_FALSE(sniff_format(""));
}

TEST_CASE("hand-written traces: pretty-printed JSON and header-less JSON Lines") {
  const char* pretty = R"({
  "version": 1,
  "format": "fa32-trace",
  "metadata": {"note": "by hand"},
  "events": [
    { "op": "malloc", "id": 7, "size": 24 },
    { "id": 7, "op": "free" }
  ]
}
)";
  auto r = open_trace_bytes(pretty, "pretty");
  CHECK(r->format() == Format::json);
  CHECK(r->header().metadata.at("note") == "by hand");
  auto ev = read_all(*r);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].id == 7);
  CHECK(ev[0].size == 24);
  CHECK(ev[1].op == Op::free);

  auto l = open_trace_bytes("{\"op\":\"malloc\",\"id\":1,\"size\":5}\n\n{\"op\":\"free\",\"id\":1}", "lines");
  CHECK(l->format() == Format::jsonl);
  CHECK(l->header().version == 1);
  CHECK(read_all(*l).size() == 2);
}

TEST_CASE("files, gzip input, and the reader's position") {
  auto dir = std::filesystem::temp_directory_path() / ("fa32_traces_roundtrip." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto events = sample_events();
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    auto path = (dir / (std::string("t.") + std::string(format_name(f)))).string();
    {
      auto w = create_writer(path, f, sample_header());
      w->write(events);
      CHECK(w->events_written() == events.size());
      w->finish();
    }
    auto r = open_trace(path);
    CHECK(r->source() == path);
    CHECK(read_all(*r) == events);

    // gzip the file with zlib and read it back through sniffing.
    std::ifstream in(path, std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto gz = path + ".gz";
    gzFile z = gzopen(gz.c_str(), "wb");
    REQUIRE(z != nullptr);
    gzwrite(z, raw.data(), static_cast<unsigned>(raw.size()));
    gzclose(z);
    auto rz = open_trace(gz);
    CHECK(rz->format() == f);
    CHECK(read_all(*rz) == events);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("zero padding after a gzip trace's last member is ignored, as gzip(1) does") {
  // Tape and block devices pad a file with zeros: gzip -t and zcat take
  // it, where every reader said "corrupt gzip data: incorrect header check".
  const auto dir =
      std::filesystem::temp_directory_path() / ("fa32_traces_gz_pad." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto events = sample_events();
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    const auto path = (dir / (std::string("t.") + std::string(format_name(f)) + ".gz")).string();
    {
      auto w = create_writer(path, f, sample_header());
      w->write(events);
      w->finish();
    }
    std::ifstream in(path, std::ios::binary);
    const std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The same trace as two members (gzip's -a appends one), cut mid-way.
    const std::string plain = write_bytes(f, sample_header(), events);
    const auto path2 = path + ".2.gz";
    for (const char* mode : {"wb", "ab"}) {
      gzFile z = gzopen(path2.c_str(), mode);
      REQUIRE(z != nullptr);
      const std::size_t half = plain.size() / 2;
      const std::string part = mode[0] == 'w' ? plain.substr(0, half) : plain.substr(half);
      gzwrite(z, part.data(), static_cast<unsigned>(part.size()));
      gzclose(z);
    }
    std::ifstream in2(path2, std::ios::binary);
    const std::string two_members((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
    // 1 MiB: more zeros than the source reads at once.
    for (std::size_t zeros : {std::size_t{1}, std::size_t{512}, std::size_t{1} << 20}) {
      CAPTURE(zeros);
      const std::string padded = gz + std::string(zeros, '\0');
      CHECK(read_all(*open_trace_bytes(padded, "t.gz")) == events);
      const std::string twice = two_members + std::string(zeros, '\0');
      CHECK(read_all(*open_trace_bytes(twice, "t.gz")) == events);
      // Anything after the zeros is not padding, and not a member either
      // (gzip calls it trailing garbage).
      const std::string garbage = padded + "x";
      const std::string said = "non-zero byte in the zero padding after the gzip data at compressed byte " +
                               std::to_string(padded.size());
      CHECK_THROWS_WITH_AS(read_all(*open_trace_bytes(garbage, "t.gz")), doctest::Contains(said.c_str()),
                           TraceError);
      const std::string member_after = padded + gz;
      CHECK_THROWS_AS(read_all(*open_trace_bytes(member_after, "t.gz")), TraceError);
    }
    // Other bytes straight after a member stay an error.
    const std::string junk = gz + "junk";
    CHECK_THROWS_WITH_AS(read_all(*open_trace_bytes(junk, "t.gz")), doctest::Contains("corrupt gzip data"),
                         TraceError);
    // So is one byte that cannot start a member: it read as a cut member
    // ("compressed input is truncated"), which a trace with a stray byte
    // appended is not.
    for (const char* tail : {"x", "\x1f", "\x1fx"}) {
      CAPTURE(tail);
      bool truncated = false;
      const std::string err = read_error(gz + tail, nullptr, &truncated);
      if (std::string(tail) == "\x1f") {
        CHECK(truncated);  // a member may start so: cut after its first byte
      } else {
        CHECK(err.find("unexpected data after the last gzip member at compressed byte " +
                       std::to_string(gz.size())) != std::string::npos);
        CHECK(!truncated);
      }
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a path ending in .gz is written gzip-compressed, whole, in every format") {
  auto dir = std::filesystem::temp_directory_path() / ("fa32_traces_gz_out." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  GenOptions g;
  g.profile = "lua-like";
  g.events = 200000;  // several of the sink's 256 KiB chunks
  auto gen = make_generator(g);
  const auto events = read_all(*gen);
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    const std::string plain = write_bytes(f, gen->header(), events);
    const auto path = (dir / (std::string("t.") + std::string(format_name(f)) + ".gz")).string();
    {
      auto w = create_writer(path, f, gen->header());
      w->write(std::span(events).first(events.size() / 2));
      w->flush();  // mid-stream: a sync point, not the end of the stream
      w->write(std::span(events).subspan(events.size() / 2));
      w->finish();
    }
    // zlib itself reads it back as exactly the uncompressed bytes...
    gzFile z = gzopen(path.c_str(), "rb");
    REQUIRE(z != nullptr);
    std::string inflated;
    char buf[65536];
    for (int n; (n = gzread(z, buf, sizeof buf)) > 0;) inflated.append(buf, static_cast<std::size_t>(n));
    gzclose(z);
    CHECK(inflated == plain);
    CHECK(std::filesystem::file_size(path) < plain.size());
    // ...and so does every reader, through sniffing.
    auto r = open_trace(path);
    CHECK(r->format() == f);
    CHECK(read_all(*r) == events);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a missing file is a TraceError naming it") {
  CHECK_THROWS_WITH_AS(open_trace("/nonexistent/dir/x.fa32"), doctest::Contains("/nonexistent/dir/x.fa32"),
                       TraceError);
}

TEST_CASE("binary events cost at most 4 bytes on typical traces") {
  for (const char* p : {"small-churn", "lua-like", "crypto-vm", "lifo", "fifo"}) {
    CAPTURE(p);
    GenOptions g;
    g.profile = p;
    g.events = 20000;
    auto gen = make_generator(g);
    auto events = read_all(*gen);
    std::string bytes = write_bytes(Format::binary, gen->header(), events);
    CHECK(static_cast<double>(bytes.size()) / static_cast<double>(events.size()) <= 4.0);
  }
}

// Metadata comes from file names and command lines, which need not be
// UTF-8; the writers threw nlohmann's type_error on them and wrote nothing.
TEST_CASE("metadata that is not UTF-8 is written with U+FFFD in its place") {
  TraceHeader h;
  h.metadata["source"] = "caf\xe9.log";
  for (Format f : kFormats) {
    CAPTURE(format_name(f));
    std::string bytes;
    REQUIRE_NOTHROW(bytes = write_bytes(f, h, {}));
    auto r = open_trace_bytes(bytes, "t");
    CHECK(r->header().metadata.at("source") == "caf\xef\xbf\xbd.log");
    CHECK(read_all(*r).empty());
  }
}
