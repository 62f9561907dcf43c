// A writer destroyed without finish() (the command failed half-way) must
// leave a trace that reads as truncated, never as a complete one.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "trace_test_util.hpp"

using namespace fa32::traces;
using fa32::traces::test::read_error;

TEST_CASE("a writer destroyed without finish() leaves a trace readers report as truncated") {
  std::vector<Event> events(3);
  events[0].op = Op::malloc;
  events[0].size = 24;
  events[1].op = Op::free;
  events[2].op = Op::malloc;
  events[2].size = 8;
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    // Without event_count nothing in the header tells how long the trace is.
    for (std::uint64_t promised : {std::uint64_t{0}, std::uint64_t{10}}) {
      CAPTURE(format_name(f));
      CAPTURE(promised);
      TraceHeader h;
      h.event_count = promised;
      std::ostringstream out;
      {
        auto w = create_writer(out, f, h);
        w->write(events);
      }
      std::size_t recovered = 0;
      bool truncated = false;
      std::string err = read_error(out.str(), &recovered, &truncated);
      CHECK(err.find("truncated") != std::string::npos);
      CHECK(truncated);
      CHECK(recovered == events.size());
    }
  }
}

TEST_CASE("a finished JSON Lines trace carries no trace of the unfinished marker") {
  TraceHeader h;
  std::vector<Event> events(1);
  std::string bytes = fa32::traces::test::write_bytes(Format::jsonl, h, events);
  CHECK(read_error(bytes).empty());
  CHECK(bytes.find("unfinished") == std::string::npos);
}

// A .gz output whose writer never finished (killed, or the command failed)
// ends inside its gzip stream. Its reader stopped at the cut with "compressed
// input is truncated" before delivering anything: every event of a trace
// under 1 MiB was lost (sniffing reads that far ahead), and the error did
// not say truncated(). The complete events now come first, as without gzip.
TEST_CASE("a gzip trace cut short delivers its complete events, then reads as truncated") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("fa32_traces_gz_cut." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<Event> events = fa32::traces::test::sample_events();
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    CAPTURE(format_name(f));
    TraceHeader h;
    const auto path = (dir / (std::string("t.") + std::string(format_name(f)) + ".gz")).string();
    {
      auto w = create_writer(path, f, h);
      w->write(events);
    }
    std::ifstream in(path, std::ios::binary);
    const std::string unfinished((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t recovered = 0;
    bool truncated = false;
    std::string err = read_error(unfinished, &recovered, &truncated);
    CHECK(err.find("truncated") != std::string::npos);
    CHECK(truncated);
    CHECK(recovered == events.size());
    // And says so, as the uncompressed trace does: the gzip cut alone
    // named the compressed byte it ended at, not what came through.
    CHECK(err.find("truncated: " + std::to_string(events.size()) + " events recovered (") !=
          std::string::npos);

    // A finished trace whose gzip trailer (8 bytes) is cut off: every event
    // is there, and still the input is reported as truncated.
    {
      auto w = create_writer(path, f, h);
      w->write(events);
      w->finish();
    }
    std::ifstream again(path, std::ios::binary);
    std::string whole((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
    REQUIRE(read_error(whole).empty());
    // Cut anywhere after the gzip magic: truncated, never another error
    // (a cut before 8 bytes inflate read as "not a trace"), never complete.
    for (std::size_t n = 2; n < whole.size(); ++n) {
      CAPTURE(n);
      recovered = 0;
      truncated = false;
      err = read_error(whole.substr(0, n), &recovered, &truncated);
      CHECK(truncated);
      CHECK(recovered <= events.size());
    }
    whole.resize(whole.size() - 8);
    recovered = 0;
    truncated = false;
    err = read_error(whole, &recovered, &truncated);
    CHECK(err.find("compressed input is truncated") != std::string::npos);
    CHECK(truncated);
    CHECK(recovered == events.size());
  }
  std::filesystem::remove_all(dir);
}
