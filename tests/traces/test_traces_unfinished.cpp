// A writer destroyed without finish() (the command failed half-way) must
// leave a trace that reads as truncated, never as a complete one.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

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
