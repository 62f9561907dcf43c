// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "fa32/app/count_noun.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/fa32_allocator.hpp"
#include "fa32/app/report/counter_rows.hpp"
#include "fa32/app/report/diff.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/report.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app;
using namespace fa32::test;

namespace {
// A hand-made result: every derived figure below is arithmetic on these.
replay::ReplayResult made_up() {
  replay::ReplayResult r;
  r.events = 10;
  r.op_counts[0] = 6;  // malloc
  r.op_counts[3] = 4;  // free
  r.temporary_allocs = 3;
  r.peak_live_bytes = 1000;
  r.live_bytes = 100;
  r.live_allocs = 2;
  r.at_peak_live.footprint = 1500;
  r.at_peak_live.reserved = 1250;
  r.at_end.reserved = 400;
  r.footprint_peak = 2000;
  r.leak_count = 2;
  r.leak_bytes = 100;
  r.leaks = {{7, 60, 3}, {9, 40, 5}};
  replay::Fa32Final f;
  f.stats.pool_allocs = 4;
  f.stats.cache_hits = 1;
  f.stats.large_allocs = 1;
  f.stats.large_cache_hits = 1;
  f.stats.fallback_allocs = 1;
  f.class_count = 1;
  f.classes[0].block_size = 32;
  f.classes[0].allocs = 4;
  f.classes[0].fallback_allocs = 1;
  f.classes[0].capacity_blocks = 8;
  f.classes[0].blocks_in_use.peak = 2;
  r.fa32 = f;
  return r;
}

report::Report made_up_report() {
  replay::Fa32Settings s;
  replay::Fa32Allocator a(s);
  return report::build_report("t.json", "json", a, replay::ReplayOptions{}, made_up());
}
}  // namespace

TEST_CASE("derived figures follow the definitions in docs/report.md") {
  const report::Report r = made_up_report();
  CHECK(r.allocator_allocs == 6);
  CHECK(*r.pool_hit_rate == doctest::Approx(4.0 / 6));
  CHECK(*r.fallback_rate == doctest::Approx(1.0 / 6));
  CHECK(*r.cache_reuse == doctest::Approx(0.25));
  CHECK(*r.large_cache_reuse == doctest::Approx(1.0));
  CHECK(*r.internal_frag_at_peak == doctest::Approx(250.0 / 1250));
  CHECK(*r.internal_frag_at_end == doctest::Approx(300.0 / 400));
  CHECK(*r.overhead_peak_vs_peak == doctest::Approx(1.0));
  CHECK(*r.overhead_at_peak_live == doctest::Approx(0.5));
  CHECK(*r.temporary_rate == doctest::Approx(0.5));
  REQUIRE(r.classes.size() == 1);
  CHECK(*r.classes[0].hit_rate == doctest::Approx(0.8));
  CHECK(*r.classes[0].occupancy_peak == doctest::Approx(0.25));
}

TEST_CASE("internal fragmentation at the end is undefined when nothing is live") {
  // The system allocator still reserves bytes after the last free (glibc's
  // tcache chunks count as in use): that is no fragmentation of live blocks.
  replay::ReplayResult x = made_up();
  x.live_bytes = 0;
  x.live_allocs = 0;
  x.leak_count = 0;
  x.leak_bytes = 0;
  x.leaks.clear();
  replay::Fa32Settings s;
  replay::Fa32Allocator a(s);
  const report::Report r = report::build_report("t.json", "json", a, replay::ReplayOptions{}, x);
  CHECK_FALSE(r.internal_frag_at_end.has_value());
}

TEST_CASE("a count reads in the singular for one, in the plural otherwise") {
  CHECK(count_noun(0, "allocation") == "0 allocations");
  CHECK(count_noun(1, "allocation") == "1 allocation");
  CHECK(count_noun(2, "byte") == "2 bytes");
  CHECK(count_noun(18446744073709551615ull, "run") == "18446744073709551615 runs");
}

TEST_CASE("one leak is named in the singular by the gate, the text and the Markdown") {
  replay::ReplayResult x = made_up();
  x.leak_count = 1;
  x.leak_bytes = 1;
  x.leaks = {{7, 1, 3}};
  replay::Fa32Settings s;
  replay::Fa32Allocator a(s);
  report::Report r = report::build_report("t.json", "json", a, replay::ReplayOptions{}, x);
  report::GateSpec g;
  g.fail_on_leak = true;
  report::apply_gates(r, g);
  REQUIRE(r.gates.size() == 1);
  CHECK(r.gates[0].message == "1 allocation (1 byte) still live after the last event");
  std::ostringstream text, markdown;
  report::print_text(text, std::span<const report::Report>(&r, 1), {});
  report::print_markdown(markdown, std::span<const report::Report>(&r, 1));
  CHECK(text.str().find("leaks at exit: 1 allocation, 1 byte") != std::string::npos);
  CHECK(markdown.str().find("**: 1 allocation, 1 byte") != std::string::npos);
}

TEST_CASE("gates pass and fail on the right side of the threshold") {
  report::Report r = made_up_report();
  report::GateSpec g;
  g.fail_on_leak = true;
  g.min_pool_hit_rate = 0.5;
  g.max_fallback_rate = 0.1;
  g.max_overhead = 1.5;
  report::apply_gates(r, g);
  REQUIRE(r.gates.size() == 4);
  CHECK_FALSE(r.gates[0].passed);  // 2 leaks
  CHECK(r.gates[0].message.find("2 allocations") != std::string::npos);
  CHECK(r.gates[1].passed);        // 0.667 >= 0.5
  CHECK_FALSE(r.gates[2].passed);  // 0.167 > 0.1
  CHECK(r.gates[3].passed);        // 1.0 <= 1.5
  CHECK_FALSE(r.gates_passed());
  g = {};
  g.min_pool_hit_rate = 0.7;
  report::apply_gates(r, g);
  CHECK_FALSE(r.gates_passed());
  r.pool_hit_rate.reset();
  report::apply_gates(r, g);
  CHECK(r.gates[0].message.find("not defined") != std::string::npos);
}

TEST_CASE("JSON carries the schema version, stable keys and the leak list") {
  const report::Report r = made_up_report();
  const std::vector<report::Report> one{r};
  std::ostringstream out;
  report::print_json(out, one);
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["schema_version"] == report::schema_version);
  CHECK(j["pool"]["allocs"] == 4);
  CHECK(j["pool"]["hit_rate"].get<double>() == doctest::Approx(4.0 / 6));
  CHECK(j["fragmentation"]["overhead_peak_vs_peak"].get<double>() == doctest::Approx(1.0));
  CHECK(j["leaks"]["count"] == 2);
  CHECK(j["leaks"]["first"][1]["id"] == 9);
  CHECK(j["classes"][0]["block_size"] == 32);
  CHECK(j["error"].is_null());
  CHECK(j["passed"] == true);
  const std::vector<report::Report> two{r, r};
  std::ostringstream both;
  report::print_json(both, two);
  const auto a = nlohmann::json::parse(both.str());
  REQUIRE(a.is_array());
  CHECK(a.size() == 2);
}

namespace {
// The JSON report of a small real replay, with the peaks kept or not.
nlohmann::ordered_json replayed_json(bool peaks) {
  const std::vector<ReplayEvent> evs{ev_malloc(1, 20), ev_malloc(2, 24), ev_free(1), ev_free(2)};
  replay::Fa32Settings s;
  s.config.track_peaks = peaks ? 1 : 0;
  replay::Fa32Allocator a(s);
  const replay::ReplayOptions o;
  replay::ReplayResult res = replay::replay(evs, a, o);
  REQUIRE_FALSE(res.error);
  const std::vector<report::Report> one{report::build_report("t.json", "json", a, o, std::move(res))};
  std::ostringstream out;
  report::print_json(out, one);
  return nlohmann::ordered_json::parse(out.str());
}
}  // namespace

TEST_CASE("a class's requested-bytes peak is null without peaks, and fa32 diff compares nothing there") {
  const auto with = replayed_json(true);
  const auto without = replayed_json(false);
  // Both requests fall in the 32-byte class of the default classes.
  const auto class32 = [](const nlohmann::ordered_json& j) {
    for (const auto& c : j["classes"])
      if (c["block_size"] == 32) return c;
    FAIL("no 32-byte class");
    return nlohmann::ordered_json();
  };
  CHECK(class32(with)["bytes_requested_peak"] == 44);
  CHECK(class32(without)["bytes_requested_peak"].is_null());  // was 0: as if nothing was asked
  CHECK(class32(without)["blocks_in_use_peak"] == 2);         // kept with or without peaks

  report::Diff d = report::diff_reports(with, without, "with", "without");
  const auto row = std::find_if(d.rows.begin(), d.rows.end(), [](const report::DiffRow& r) {
    return r.figure == "classes[32].bytes_requested_peak";
  });
  REQUIRE(row != d.rows.end());
  CHECK(row->base.has_value());
  CHECK_FALSE(row->next.has_value());  // not a drop to 0 (-100 %)
  CHECK(row->verdict != report::Verdict::better);
  report::add_gate(d, "bytes_requested_peak=5");
  REQUIRE(d.gates.size() == 1);
  CHECK_FALSE(d.gates[0].passed);
  CHECK(d.gates[0].message.find("value in only one of the reports") != std::string::npos);
}

TEST_CASE("CSV, Markdown and text put several traces side by side") {
  report::Report r1 = made_up_report();
  report::Report r2 = made_up_report();
  r2.trace = "u.fa32";
  r2.result.peak_live_bytes = 12345;
  const std::vector<report::Report> two{r1, r2};
  std::ostringstream csv;
  report::print_csv(csv, two);
  CHECK(csv.str().rfind("key,t.json,u.fa32\n", 0) == 0);
  CHECK(csv.str().find("\nmemory.peak_live_bytes,1000,12345\n") != std::string::npos);
  std::ostringstream md;
  report::print_markdown(md, two);
  CHECK(md.str().find("| figure | t.json | u.fa32 |") != std::string::npos);
  CHECK(md.str().find("| peak live bytes |") != std::string::npos);
  std::ostringstream text;
  report::print_text(text, two, {});
  CHECK(text.str().find("12345") != std::string::npos);
  CHECK(text.str().find("\033[") == std::string::npos);
  std::ostringstream coloured;
  report::print_text(coloured, two, {true});
  CHECK(coloured.str().find("\033[1m") != std::string::npos);
}

TEST_CASE("Markdown keeps a trace name with a pipe or a line break inside its table cell") {
  report::Report r1 = made_up_report();
  r1.trace = "a|b\nc\r\nd.json";
  const std::vector<report::Report> one{r1};
  std::ostringstream md;
  report::print_markdown(md, one);
  std::istringstream lines(md.str());
  std::string line;
  std::getline(lines, line);
  CHECK(line == "| figure | a\\|b c  d.json |");
  // Every line of the figure table is a table row, up to the blank line.
  while (std::getline(lines, line) && !line.empty()) CHECK(line.front() == '|');
  CHECK(md.str().find("**Leaks in a\\|b c  d.json**") != std::string::npos);
}

TEST_CASE("the text summary of one trace lists leaks and classes, aligned") {
  const std::vector<report::Report> one{made_up_report()};
  std::ostringstream out;
  report::print_text(out, one, {});
  const std::string s = out.str();
  CHECK(s.find("leaks at exit: 2 allocations, 100 bytes") != std::string::npos);
  CHECK(s.find("made by event 3") != std::string::npos);
  CHECK(s.find("size classes") != std::string::npos);
  CHECK(s.find("pool hit rate") != std::string::npos);
  CHECK(s.find("66.67 %") != std::string::npos);
}

TEST_CASE("report formats by name") {
  CHECK(report::report_format_from_name("md") == report::ReportFormat::markdown);
  CHECK(report::report_format_from_name("json") == report::ReportFormat::json);
  CHECK_FALSE(report::report_format_from_name("yaml"));
  CHECK(report::human_bytes(1536) == "1.50 KiB");
}

namespace {
bool has_row(std::string_view name) {
  for (const report::CounterRow& row : report::counter_rows()) {
    if (row.name == name) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("report: every allocator counter and gauge has a row, shown or explicitly not") {
#define FA32_CHECK_HAS_ROW(name, desc) CHECK_MESSAGE(has_row(#name), #name " has no row in counter_rows()");
  FASTALLOC32_COUNTERS(FA32_CHECK_HAS_ROW)
  FASTALLOC32_GAUGES(FA32_CHECK_HAS_ROW)
#undef FA32_CHECK_HAS_ROW
}

TEST_CASE("report: every counter row names a counter or gauge and has a key and a label") {
  fastalloc32_stats s{};
  for (const report::CounterRow& row : report::counter_rows()) {
    CAPTURE(row.key);
    if (row.kind == report::Figure::Kind::ratio) {
      CHECK(row.name.empty());
      CHECK(row.ratio != nullptr);
    } else {
      CHECK(report::counter_value(s, row).has_value());
    }
    if (row.section != report::CounterSection::not_reported) {
      CHECK(!row.key.empty());
      CHECK(!row.label.empty());
    }
  }
}

TEST_CASE("text: side-by-side columns are padded to display width, non-ASCII trace names too") {
  report::Report r1 = made_up_report();
  report::Report r2 = made_up_report();
  report::Report r3 = made_up_report();
  r2.trace = "\xc3\xa9";                  // U+00E9: two bytes, one column
  r3.trace = "\xe6\x97\xa5\xe6\x9c\xac";  // U+65E5 U+672C: six bytes, four columns
  const std::vector<report::Report> three{r1, r2, r3};
  std::ostringstream text;
  report::print_text(text, three, {});
  std::istringstream lines(text.str());
  std::string line;
  while (std::getline(lines, line) && line.rfind("figure", 0) != 0) {
  }
  REQUIRE(line.rfind("figure", 0) == 0);
  std::string next;
  REQUIRE(std::getline(lines, next));
  // As wide on the screen as the ASCII line below it: 1 + 2 bytes more.
  CHECK(line.size() == next.size() + 3);
}
