// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/app/bench/bench_printers.hpp"

using namespace fa32::app::bench;
using fa32::app::report::ReportFormat;

namespace {

BenchReport sample_report() {
  BenchReport r;
  r.runs = 3;
  r.warmup = 1;
  r.notes.push_back("skipped ghost: /no/such.so not found");
  WorkloadResult w;
  w.name = "small churn";
  w.source = "suite:small-churn";
  w.events = 2000;
  w.repetitions = 4;
  w.live_peak_bytes = 65536;
  AllocatorRow a;
  a.name = "fa32";
  a.kind = "fastalloc32";
  a.ns_per_event = {5.0, 5.5, 5.2};
  a.peak_rss_bytes = 8 << 20;
  a.replay_rss_bytes = 1 << 20;
  a.footprint_peak_bytes = 131072;
  a.verified = {"fastalloc32_check passed after the replay"};
  AllocatorRow g;
  g.name = "glibc";
  g.kind = "system";
  g.ns_per_event = {10.0, 14.0, 10.5};  // noisy: 40% spread
  g.peak_rss_bytes = 9 << 20;
  g.footprint_peak_bytes = 200000;
  AllocatorRow c;
  c.name = "weird,name";
  c.kind = "preload";
  c.status = RunStatus::failed;
  c.message = "run 1: worker killed by signal 11 (Segmentation fault)";
  w.allocators = {a, g, c};
  derive_figures(w, r.noise_threshold);
  r.workloads.push_back(w);
  return r;
}

std::string print(ReportFormat f) {
  std::ostringstream out;
  print_bench(out, sample_report(), f);
  return out.str();
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

}  // namespace

TEST_CASE("JSON output parses and carries the schema, the runs and the derived figures") {
  const nlohmann::json j = nlohmann::json::parse(print(ReportFormat::json));
  CHECK(j["schema_version"] == bench_schema_version);
  CHECK(j["runs"] == 3);
  CHECK(j["clock"] == "cpu");
  CHECK(j["touch"] == "first");
  CHECK(j["notes"].size() == 1);
  REQUIRE(j["workloads"].size() == 1);
  const auto& w = j["workloads"][0];
  CHECK(w["name"] == "small churn");
  CHECK(w["events"] == 2000);
  CHECK(w["repetitions"] == 4);
  REQUIRE(w["allocators"].size() == 3);
  const auto& fa = w["allocators"][0];
  CHECK(fa["ns_per_event"]["median"].get<double>() == doctest::Approx(5.2));
  CHECK(fa["ns_per_event"]["runs"].size() == 3);
  CHECK(fa["fastest"] == true);
  CHECK(fa["ratio_to_glibc"].get<double>() == doctest::Approx(5.2 / 10.5));
  CHECK(fa["footprint_vs_live"].get<double>() == doctest::Approx(2.0));
  CHECK(fa["verified"][0] == "fastalloc32_check passed after the replay");
  const auto& gl = w["allocators"][1];
  CHECK(gl["ns_per_event"]["noisy"] == true);
  CHECK(gl["ratio_to_fastest"].get<double>() == doctest::Approx(10.5 / 5.2));
  const auto& bad = w["allocators"][2];
  CHECK(bad["status"] == "failed");
  CHECK(bad["ratio_to_glibc"].is_null());
  CHECK(bad["message"].get<std::string>().find("signal 11") != std::string::npos);
  // No figures for a failed row: null, not 0 (which reads as the fastest).
  CHECK(bad["ns_per_event"]["median"].is_null());
  CHECK(bad["ns_per_event"]["min"].is_null());
  CHECK(bad["peak_rss_bytes"].is_null());
  CHECK(bad["fastest"] == false);
}

TEST_CASE("a trace of no events has no fastest allocator") {
  WorkloadResult w;
  w.name = "empty";
  for (const char* name : {"fa32", "glibc"}) {
    AllocatorRow row;
    row.name = name;
    row.kind = std::string(name) == "glibc" ? "system" : "fastalloc32";
    row.ns_per_event = {0.0, 0.0};
    w.allocators.push_back(row);
  }
  derive_figures(w, 0.1);
  for (const AllocatorRow& row : w.allocators) CHECK_FALSE(row.fastest);
}

TEST_CASE("a spread just over the noise threshold is not printed as the threshold") {
  // 10.4 % over --noise 0.1: "range 10%" would read as not over it.
  BenchReport r;
  r.runs = 3;
  r.noise_threshold = 0.1;
  WorkloadResult w;
  w.name = "edge";
  AllocatorRow row;
  row.name = "glibc";
  row.kind = "system";
  row.ns_per_event = {10.0, 10.0, 11.04};
  w.allocators.push_back(row);
  derive_figures(w, r.noise_threshold);
  REQUIRE(w.allocators[0].summary.noisy);
  r.workloads.push_back(w);
  for (ReportFormat f : {ReportFormat::text, ReportFormat::markdown}) {
    std::ostringstream out;
    print_bench(out, r, f);
    CHECK(out.str().find("noisy: range 10.4% of median") != std::string::npos);
    CHECK(out.str().find("range 10% of median") == std::string::npos);
  }
  // Well over it, whole percent as before.
  r.workloads[0].allocators[0].ns_per_event = {10.0, 10.0, 12.0};
  derive_figures(r.workloads[0], r.noise_threshold);
  std::ostringstream out;
  print_bench(out, r, ReportFormat::text);
  CHECK(out.str().find("noisy: range 20% of median") != std::string::npos);
}

TEST_CASE("CSV output has a header and one row per workload and allocator, quoted where needed") {
  const std::vector<std::string> l = lines(print(ReportFormat::csv));
  REQUIRE(l.size() == 4);
  CHECK(l[0].starts_with("workload,source,events,"));
  CHECK(l[1].starts_with("small churn,suite:small-churn,2000,4,65536,fa32,fastalloc32,ok,5.200,"));
  CHECK(l[2].find(",glibc,system,ok,10.500,10.000,14.000,") != std::string::npos);
  CHECK(l[2].find(",true,") != std::string::npos);                                         // noisy
  CHECK(l[3].find(",\"weird,name\",preload,failed,,,,,false,,,,,") != std::string::npos);  // no figures
  // Every row has as many fields as the header (commas inside quotes aside).
  auto fields = [](const std::string& s) {
    int n = 1;
    bool quoted = false;
    for (char c : s) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++n;
    }
    return n;
  };
  for (const std::string& row : l) CHECK(fields(row) == fields(l[0]));
}

TEST_CASE("Markdown output has the overview table, a detail table per workload and the notes") {
  const std::string md = print(ReportFormat::markdown);
  CHECK(md.find("| workload | fa32 | glibc | weird,name |") != std::string::npos);
  CHECK(md.find("| small churn | **5.20** | 10.50 (noisy) | failed |") != std::string::npos);
  CHECK(md.find("### small churn (suite:small-churn, 2000 events x 4 repetitions") != std::string::npos);
  CHECK(md.find("| fa32 | 5.20 | 5.00-5.50 | 0.50x | 1.00x |") != std::string::npos);
  CHECK(md.find("- skipped ghost") != std::string::npos);
  // --touch first writes the last byte only past the first MiB.
  CHECK(md.find("touch first (one byte per page of each block's first MiB written, and the last byte of a "
                "larger block)") != std::string::npos);
}

TEST_CASE("Markdown keeps a workload name or a message with '|' or a line break inside its cell") {
  BenchReport r = sample_report();
  r.workloads[0].name = "a|b\nc.json";
  r.workloads[0].allocators[2].message = "run 1: worker said\nsomething | odd";
  std::ostringstream out;
  print_bench(out, r, ReportFormat::markdown);
  const std::string md = out.str();
  CHECK(md.find("| a\\|b c.json | **5.20** |") != std::string::npos);
  CHECK(md.find("run 1: worker said something \\| odd |") != std::string::npos);
  // Inside a table every line is a row: a line break in a cell ended the table.
  bool in_table = false;
  for (const std::string& l : lines(md)) {
    if (l.starts_with("|---")) in_table = true;
    if (l.empty()) in_table = false;
    if (in_table) CHECK(l.front() == '|');
  }
}

TEST_CASE("the touch mode is in every printed header") {
  BenchReport r = sample_report();
  r.touch = "all";
  for (ReportFormat f : {ReportFormat::text, ReportFormat::markdown}) {
    std::ostringstream out;
    print_bench(out, r, f);
    CHECK(out.str().find("touch all (every byte of every block written)") != std::string::npos);
  }
  std::ostringstream json;
  print_bench(json, r, ReportFormat::json);
  CHECK(nlohmann::json::parse(json.str())["touch"] == "all");
}

TEST_CASE("the text header says what ran before the measured runs") {
  BenchReport r = sample_report();
  std::ostringstream one;
  print_bench(one, r, ReportFormat::text);
  CHECK(one.str().find("(min-max), after 1 warm-up round, interleaved") != std::string::npos);
  r.warmup = 0;  // a calibration round of single replays ran instead
  std::ostringstream none;
  print_bench(none, r, ReportFormat::text);
  CHECK(none.str().find(
            "(min-max), no warm-up round (a first round of single replays fixed the repetitions)") !=
        std::string::npos);
  CHECK(none.str().find("0 warm-up") == std::string::npos);
}

TEST_CASE("text output lists every allocator with its median, range, ratios and flags") {
  const std::string t = print(ReportFormat::text);
  CHECK(t.find("median ns/event (CPU time of the replaying thread) of 3 runs per allocator") !=
        std::string::npos);
  CHECK(t.find("; touch first (") != std::string::npos);
  CHECK(t.find("small churn (suite:small-churn, 2000 events x 4 repetitions") != std::string::npos);
  const std::vector<std::string> l = lines(t);
  bool fa = false, gl = false, bad = false;
  for (const std::string& s : l) {
    if (s.find("  fa32 ") == 0) {
      fa = s.find("5.20") != std::string::npos && s.find("5.00-5.50") != std::string::npos &&
           s.find("fastest") != std::string::npos && s.find("2.00x live") != std::string::npos;
    }
    if (s.find("  glibc ") == 0)
      gl = s.find("noisy") != std::string::npos && s.find("1.00x") != std::string::npos;
    if (s.find("  weird,name ") == 0) bad = s.find("signal 11") != std::string::npos;
  }
  CHECK(fa);
  CHECK(gl);
  CHECK(bad);
  CHECK(t.find("notes:\n  skipped ghost") != std::string::npos);
}

TEST_CASE("the HTML table shows no figure for a failed row, as the other formats") {
  // Its peak RSS read "0 B", a figure for an allocator that never ran
  // (the JSON has null, text and Markdown "-").
  const std::string html = print(ReportFormat::html);
  const std::size_t row = html.find("<tr><td>weird,name");
  REQUIRE(row != std::string::npos);
  const std::string line = html.substr(row, html.find("</tr>", row) - row);
  CHECK(line.find("0 B") == std::string::npos);
  CHECK(line.find("<td class=\"num\">-</td><td>failed") != std::string::npos);
}
