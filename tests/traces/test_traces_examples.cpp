// The example traces shipped in traces/examples/ read, validate and convert.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <string>

#include "fa32/traces/validate.hpp"
#include "trace_test_util.hpp"

using namespace fa32::traces;

namespace {
struct Example {
  const char* file;
  Format format;
  std::uint64_t events;
  std::uint64_t live_at_end;
};
const Example kExamples[] = {
    {"small-churn.json", Format::json, 40, 0},
    {"lua-like.jsonl", Format::jsonl, 60, 0},
    {"crypto-vm.fa32", Format::binary, 200, 0},
    {"larson-leaks.jsonl", Format::jsonl, 40, 2},
};
}  // namespace

TEST_CASE("the example traces are valid and match their headers") {
  for (const auto& ex : kExamples) {
    CAPTURE(ex.file);
    auto r = open_trace(std::string(FA32_SOURCE_DIR) + "/traces/examples/" + ex.file);
    CHECK(r->format() == ex.format);
    CHECK(r->header().event_count == ex.events);
    CHECK(r->header().metadata.at("producer") == "fa32 gen");
    auto events = test::read_all(*r);
    CHECK(events.size() == ex.events);
    Validator v;
    for (const auto& e : events) {
      CHECK_FALSE(v.check(e));
      CHECK(e.id < r->header().id_bound);
    }
    CHECK(v.summary().live_count == ex.live_at_end);
    // Converting to every format and back loses nothing.
    for (Format f : {Format::binary, Format::json, Format::jsonl}) {
      std::string bytes = test::write_bytes(f, r->header(), events);
      auto back = open_trace_bytes(bytes, "converted");
      CHECK(back->header() == r->header());
      CHECK(test::read_all(*back) == events);
    }
  }
}
