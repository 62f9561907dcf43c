// fa32 diff's logic: flattening, pairing, which way is better, the gates.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fa32/app/cli.hpp"
#include "fa32/app/report/diff.hpp"

using namespace fa32::app;
using namespace fa32::app::report;
using json = nlohmann::ordered_json;

namespace {

json replay_report(double footprint, double hit_rate, std::vector<int> classes) {
  json j = {{"schema_version", 1},
            {"trace", {{"path", "t.json"}, {"format", "json"}}},
            {"allocator", {{"name", "fastalloc32"}, {"config", "c"}}},
            {"events", {{"total", 10}}},
            {"memory", {{"footprint_peak", footprint}, {"peak_live_bytes", 100}}},
            {"pool", {{"hit_rate", hit_rate}}},
            {"timing", {{"ns_per_event", 12.5}}},
            {"snapshots", json::array({{{"events", 1}}})}};
  json cs = json::array();
  for (int c : classes) cs.push_back({{"block_size", c}, {"allocs", c / 8}, {"hit_rate", nullptr}});
  j["classes"] = cs;
  return j;
}

const DiffRow* row(const Diff& d, const std::string& figure) {
  auto it = std::find_if(d.rows.begin(), d.rows.end(), [&](const DiffRow& r) { return r.figure == figure; });
  return it == d.rows.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("which way is better comes from one table") {
  CHECK(better_of("memory.footprint_peak") == Better::lower);
  CHECK(better_of("fragmentation.internal_at_peak") == Better::lower);
  CHECK(better_of("fallback.rate") == Better::lower);
  CHECK(better_of("leaks.bytes") == Better::lower);
  CHECK(better_of("timing.ns_per_event") == Better::lower);
  CHECK(better_of("pool.hit_rate") == Better::higher);
  CHECK(better_of("classes[16].hit_rate") == Better::higher);
  CHECK(better_of("classes[16].fallback_allocs") == Better::lower);
  CHECK(better_of("timing.events_per_second") == Better::higher);
  CHECK(better_of("workloads[a.json].allocators[fa32].ns_per_event.median") == Better::lower);
  CHECK(better_of("workloads[a.json].allocators[fa32].peak_rss_bytes") == Better::lower);
  CHECK(better_of("events.total") == Better::none);
  CHECK(better_of("memory.peak_live_bytes") == Better::none);
}

TEST_CASE("figures pair up by name, and classes by block size, not position") {
  const Diff d =
      diff_reports(replay_report(1000, 0.5, {16, 32}), replay_report(1100, 0.6, {8, 16, 32}), "a", "b");
  const DiffRow* f = row(d, "memory.footprint_peak");
  REQUIRE(f != nullptr);
  CHECK(f->change.real == doctest::Approx(100));
  CHECK(*f->relative == doctest::Approx(0.1));
  CHECK(f->verdict == Verdict::worse);
  CHECK(row(d, "pool.hit_rate")->verdict == Verdict::better);
  CHECK(row(d, "events.total")->verdict == Verdict::unchanged);
  CHECK(row(d, "classes[32].allocs")->verdict == Verdict::unchanged);    // 32/8 in both
  CHECK(row(d, "classes[16].hit_rate")->verdict == Verdict::unchanged);  // null in both
  CHECK(row(d, "classes[8].allocs") == nullptr);  // a class in one report only is context
  CHECK(std::any_of(d.context.begin(), d.context.end(), [](const ContextChange& c) {
    return c.figure == "classes[8]" && c.base == "absent" && c.next == "present";
  }));
  CHECK(row(d, "snapshots") == nullptr);  // series are not figures
  CHECK(d.warnings.empty());
}

TEST_CASE("the same report twice: nothing changed, every gate passes") {
  const json r = replay_report(1000, 0.5, {16});
  Diff d = diff_reports(r, r, "a", "a");
  CHECK(std::all_of(d.rows.begin(), d.rows.end(),
                    [](const DiffRow& x) { return x.verdict == Verdict::unchanged; }));
  add_gate(d, "footprint_peak=0");
  CHECK(d.passed());
}

TEST_CASE("gates: leaf or dotted names, the threshold in percent, better is never a regression") {
  const json a = replay_report(1000, 0.5, {16});
  const json b = replay_report(1080, 0.4, {16});
  Diff d = diff_reports(a, b, "a", "b");
  add_gate(d, "footprint_peak=10");
  CHECK(d.passed());  // +8 %
  add_gate(d, "memory.footprint_peak=7.5%");
  CHECK_FALSE(d.passed());
  CHECK(d.gates.back().message.find("memory.footprint_peak 1000 -> 1080") != std::string::npos);

  Diff e = diff_reports(b, a, "b", "a");  // footprint went down, hit rate up
  add_gate(e, "footprint_peak=0");
  add_gate(e, "hit_rate=0");
  CHECK(e.passed());

  Diff f = diff_reports(a, b, "a", "b");
  add_gate(f, "hit_rate=19");  // 0.5 -> 0.4 is 20 % worse
  CHECK_FALSE(f.passed());
}

TEST_CASE("a gate naming no figure, or malformed, is a usage error") {
  const json r = replay_report(1000, 0.5, {16});
  Diff d = diff_reports(r, r, "a", "a");
  CHECK_THROWS_AS(add_gate(d, "print_peak=5"), InputError);
  CHECK_THROWS_AS(add_gate(d, "footprint_peak"), InputError);
  CHECK_THROWS_AS(add_gate(d, "footprint_peak=x"), InputError);
  CHECK_THROWS_AS(add_gate(d, "=5"), InputError);
  CHECK_THROWS_AS(add_gate(d, "peak=5"), InputError);  // a suffix must start at a dot
}

TEST_CASE("a figure that was 0 and grew exceeds any gate") {
  json a = replay_report(1000, 0.5, {16});
  json b = a;
  a["leaks"] = {{"count", 0}};
  b["leaks"] = {{"count", 2}};
  Diff d = diff_reports(a, b, "a", "b");
  CHECK_FALSE(row(d, "leaks.count")->relative.has_value());
  add_gate(d, "leaks.count=1000");
  CHECK_FALSE(d.passed());
}

TEST_CASE("a gate on figures that only one report has fails: it compared nothing") {
  json a = replay_report(1000, 0.5, {16, 32});
  json b = replay_report(1000, 0.5, {16});
  b.erase("pool");  // as in a report of the system allocator
  Diff d = diff_reports(a, b, "a", "b");
  add_gate(d, "pool.hit_rate=5");
  CHECK_FALSE(d.passed());
  CHECK(d.gates.back().message.find("only one of the reports") != std::string::npos);
  // A gate that compares some figure still passes when the others are one-sided.
  Diff e = diff_reports(a, b, "a", "b");
  add_gate(e, "allocs=0");  // classes[16] in both, classes[32] in the base only
  CHECK(e.passed());
}

TEST_CASE("a gate on a class that one report lacks fails, and --ignore can name it: it is a figure") {
  // The new config dropped class 32: classes[32].allocs is a figure of the
  // base, so the gate compared nothing (exit 1), not "names no figure" (2).
  const json a = replay_report(1000, 0.5, {16, 32});
  const json b = replay_report(1000, 0.5, {16});
  Diff d = diff_reports(a, b, "a", "b");
  CHECK(row(d, "classes[32].allocs") == nullptr);  // one line of context, not a row
  add_gate(d, "classes[32].allocs=5");
  CHECK_FALSE(d.passed());
  CHECK(d.gates.back().message == "classes[32].allocs is in only one of the reports: nothing to compare");
  // The same from the other side, and a gate on the whole path without keys.
  Diff e = diff_reports(b, a, "b", "a");
  add_gate(e, "classes[32].hit_rate=5");
  CHECK_FALSE(e.passed());
  Diff f = diff_reports(a, b, "a", "b");
  ignore_figures(f, "classes[32]");
  CHECK_THROWS_AS(add_gate(f, "classes[32].allocs=5"), InputError);  // ignored first: names nothing now
  CHECK_THROWS_AS(add_gate(f, "classes[48].allocs=5"), InputError);  // in neither report
}

TEST_CASE("a gate on a figure that is null in both reports passes: it is in both, and unchanged") {
  // classes[16].hit_rate is null (no allocations), as large.cache_reuse is
  // in a report of a trace without large blocks.
  const json r = replay_report(1000, 0.5, {16});
  Diff d = diff_reports(r, r, "a", "a");
  add_gate(d, "classes[16].hit_rate=5");
  CHECK(d.passed());
  CHECK(d.gates.back().message.empty());
  // Null in one report and a number in the other has no change to measure:
  // the gate compared nothing, and says why.
  json n = r;
  n["classes"][0]["hit_rate"] = 0.25;
  Diff e = diff_reports(r, n, "a", "b");
  add_gate(e, "classes[16].hit_rate=5");
  CHECK_FALSE(e.passed());
  CHECK(e.gates.back().message.find("has a value in only one of the reports") != std::string::npos);
}

TEST_CASE("reports of different kinds, traces or schema versions") {
  const json r = replay_report(1000, 0.5, {16});
  const json bench = {{"schema_version", 1}, {"command", "bench"}, {"workloads", json::array()}};
  CHECK_THROWS_AS(diff_reports(r, bench, "a", "b"), InputError);
  json other = r;
  other["trace"]["path"] = "u.json";
  other["schema_version"] = 2;
  const Diff d = diff_reports(r, other, "a", "b");
  REQUIRE(d.warnings.size() == 2);
  CHECK(d.warnings[0].find("schema versions differ") != std::string::npos);
  CHECK(d.warnings[1].find("different traces") != std::string::npos);
}

TEST_CASE(
    "a report with fields of the wrong type: compared with a warning, or bad input, never a type error") {
  const json r = replay_report(1000, 0.5, {16});
  for (const json& version : {json("1"), json(1e300), json(-1), json::array()}) {
    json odd = r;
    odd["schema_version"] = version;
    const Diff d = diff_reports(r, odd, "a", "b");
    REQUIRE(!d.warnings.empty());
    CHECK(d.warnings[0] ==
          "schema versions differ (1 and " + version.dump() + "): a figure may not mean the same in both");
  }
  // In a report of several traces, a trace that is not {path, format}.
  json several = json::array({r, r});
  several[1]["trace"] = 5;
  const Diff d = diff_reports(several, several, "a", "b");
  CHECK(row(d, "[t.json].memory.footprint_peak") != nullptr);
  CHECK(row(d, "[?].memory.footprint_peak") != nullptr);
  // A "command" that is not a string is not a report, and says so.
  const std::string path = "fa32_diff_test_odd_command.json";
  {
    std::ofstream out(path);
    out << R"({"command": 5, "workloads": []})";
  }
  CHECK_THROWS_WITH_AS(load_report(path), doctest::Contains("not an fa32 report"), InputError);
  std::remove(path.c_str());
}

TEST_CASE("bench reports compare per allocator per workload") {
  const auto bench = [](double fa32_ns) {
    json rows = json::array();
    rows.push_back({{"name", "fa32"}, {"ns_per_event", {{"median", fa32_ns}, {"runs", {1, 2}}}}});
    rows.push_back({{"name", "glibc"}, {"ns_per_event", {{"median", 20.0}}}});
    return json{{"schema_version", 1},
                {"command", "bench"},
                {"workloads", json::array({{{"name", "w.json"}, {"allocators", rows}}})}};
  };
  Diff d = diff_reports(bench(10), bench(12), "a", "b");
  const DiffRow* f = row(d, "workloads[w.json].allocators[fa32].ns_per_event.median");
  REQUIRE(f != nullptr);
  CHECK(f->verdict == Verdict::worse);
  CHECK(row(d, "workloads[w.json].allocators[glibc].ns_per_event.median")->verdict == Verdict::unchanged);
  add_gate(d, "allocators[fa32].ns_per_event.median=15");
  CHECK_FALSE(d.passed());  // +20 %
}

TEST_CASE("a file that is not a report is bad input") {
  const std::string path = "fa32_diff_test_not_a_report.json";
  {
    std::ofstream out(path);
    out << R"({"version": 1, "events": [{"op": "malloc", "id": 1, "size": 8}]})";
  }
  CHECK_THROWS_AS(load_report(path), InputError);
  {
    std::ofstream out(path);
    out << "not json at all";
  }
  CHECK_THROWS_AS(load_report(path), InputError);
  std::remove(path.c_str());
  CHECK_THROWS_AS(load_report("no-such-file.json"), InputError);
  // A directory opens but cannot be read: a read error, not "not JSON".
  CHECK_THROWS_WITH_AS(load_report("."), doctest::Contains(".: cannot read: Is a directory"), InputError);
}

TEST_CASE("a report nested 100 000 deep is bad input, not a stack overflow") {
  json deep = 1;
  // Built from the inside out; nlohmann destroys it without recursion.
  for (int i = 0; i < 100000; ++i) {
    json outer = json::object();
    outer["a"] = std::move(deep);
    deep = std::move(outer);
  }
  json hostile = replay_report(1000, 0.5, {16});
  hostile["x"] = std::move(deep);
  CHECK_THROWS_WITH_AS(diff_reports(replay_report(1000, 0.5, {16}), hostile, "a", "b"),
                       doctest::Contains("b: x.a.a"), InputError);
  json shallow = replay_report(1000, 0.5, {16});
  shallow["x"] = json{{"a", json{{"b", 2}}}};
  CHECK_NOTHROW(diff_reports(replay_report(1000, 0.5, {16}), shallow, "a", "b"));
}

TEST_CASE("text, Markdown and JSON name the changed figures, and unchanged ones only with --all") {
  const Diff d = diff_reports(replay_report(1000, 0.5, {16}), replay_report(2000, 0.5, {16}), "a", "b");
  for (DiffFormat f : {DiffFormat::text, DiffFormat::markdown, DiffFormat::json}) {
    std::ostringstream out;
    print_diff(out, d, f, false, false);
    CHECK(out.str().find("memory.footprint_peak") != std::string::npos);
    CHECK(out.str().find("pool.hit_rate") == std::string::npos);
    std::ostringstream all;
    print_diff(all, d, f, true, false);
    CHECK(all.str().find("pool.hit_rate") != std::string::npos);
  }
  std::ostringstream js;
  print_diff(js, d, DiffFormat::json, false, false);
  const json j = json::parse(js.str());
  CHECK(j["figures"].size() == 1);
  CHECK(j["figures"][0]["relative"].get<double>() == doctest::Approx(1.0));
  CHECK(j["figures"][0]["verdict"] == "worse");
  CHECK(j["passed"] == true);
}

TEST_CASE("Markdown keeps figure and file names with '|', '`' or a line break inside their cells") {
  // Several traces' figures are named by trace path, which can hold anything.
  json a = json::array({replay_report(1000, 0.5, {16})});
  a[0]["trace"]["path"] = "x|y`z\nw.json";
  json b = a;
  b[0]["memory"]["footprint_peak"] = 2000;
  const Diff d = diff_reports(a, b, "base`.json", "new\n.json");
  std::ostringstream md;
  print_diff(md, d, DiffFormat::markdown, false, false);
  const std::string s = md.str();
  CHECK(s.rfind("### fa32 diff: ``base`.json`` \u2192 `new .json`\n", 0) == 0);
  CHECK(s.find("| ``[x\\|y`z w.json].memory.footprint_peak`` | 1000 | 2000 |") != std::string::npos);
  // Every table row has its 7 cell borders, none more: no '|' unescaped.
  std::istringstream lines(s);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() != '|') continue;
    ++rows;
    int borders = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
      borders += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    CHECK(borders == 7);
  }
  CHECK(rows == 3);
}

TEST_CASE("reports of several traces pair up by trace path") {
  json a = json::array({replay_report(1000, 0.5, {16}), replay_report(1000, 0.5, {16})});
  a[1]["trace"]["path"] = "u.json";
  json b = a;
  b[1]["memory"]["footprint_peak"] = 3000;
  // The same traces in the other order: still paired by path.
  std::swap(b[0], b[1]);
  Diff d = diff_reports(a, b, "a", "b");
  CHECK(row(d, "[t.json].memory.footprint_peak")->verdict == Verdict::unchanged);
  CHECK(row(d, "[u.json].memory.footprint_peak")->verdict == Verdict::worse);
  add_gate(d, "memory.footprint_peak=100");
  CHECK_FALSE(d.passed());
  CHECK(d.gates[0].message.find("[u.json].memory.footprint_peak") != std::string::npos);
}

TEST_CASE("a trace path with brackets keeps its figures' better direction, and gates read it") {
  // A file may be named "x]y.json" or "a[1.json": the figures under it are
  // still footprints and hit rates, so a smaller footprint is better and a
  // gate on it passes (they read as directionless "changed", and the gate
  // failed on an improvement).
  for (const char* path : {"x]y.json", "a[1.json", "b].c.json"}) {
    CAPTURE(path);
    json a = json::array({replay_report(2000, 0.5, {16}), replay_report(1000, 0.5, {16})});
    a[0]["trace"]["path"] = path;
    json b = a;
    b[0]["memory"]["footprint_peak"] = 1000;
    b[0]["classes"][0]["hit_rate"] = 0.25;
    b[0]["classes"][0]["allocs"] = 4;
    Diff d = diff_reports(a, b, "a", "b");
    const std::string at = std::string("[") + path + "].";
    REQUIRE(row(d, at + "memory.footprint_peak") != nullptr);
    CHECK(row(d, at + "memory.footprint_peak")->verdict == Verdict::better);
    CHECK(row(d, at + "classes[16].allocs")->verdict == Verdict::changed);
    add_gate(d, "memory.footprint_peak=1");
    add_gate(d, "footprint_peak=1");
    CHECK(d.passed());
    add_gate(d, "classes.allocs=1");  // the path without its keys
    CHECK_FALSE(d.passed());
  }
}

TEST_CASE("a report of one trace pairs up with the same trace's report in a report of several") {
  const json one = replay_report(1000, 0.5, {16});
  json several = json::array({one, replay_report(1000, 0.5, {16})});
  several[0]["memory"]["footprint_peak"] = 1500;
  several[1]["trace"]["path"] = "u.json";
  for (const bool one_first : {true, false}) {
    Diff d = one_first ? diff_reports(one, several, "a", "b") : diff_reports(several, one, "b", "a");
    REQUIRE(!d.warnings.empty());
    CHECK(d.warnings[0].find("only figures of the same trace path are compared") != std::string::npos);
    const DiffRow* f = row(d, "[t.json].memory.footprint_peak");
    REQUIRE(f != nullptr);
    CHECK(f->verdict == (one_first ? Verdict::worse : Verdict::better));
    CHECK(row(d, "[u.json].memory.footprint_peak") == nullptr);  // one line of context
    CHECK(std::any_of(d.context.begin(), d.context.end(),
                      [](const ContextChange& c) { return c.figure == "[u.json]"; }));
    add_gate(d, "footprint_peak=10");
    CHECK(d.passed() == !one_first);
  }
}

TEST_CASE("a trace in one report only is one line of context, not one per class") {
  const json one = json::array({replay_report(1000, 0.5, {16, 32})});
  json two = one;
  two.push_back(replay_report(1000, 0.5, {16, 32}));
  two[1]["trace"]["path"] = "u.json";
  const Diff d = diff_reports(one, two, "a", "b");
  REQUIRE(d.context.size() == 1);
  CHECK(d.context[0].figure == "[u.json]");
  CHECK(d.context[0].base == "absent");
  CHECK(d.context[0].next == "present");
  CHECK(row(d, "[u.json].classes[16].allocs") == nullptr);
}

TEST_CASE("the same trace twice: its reports pair up in order, and a report equals itself") {
  json a = json::array({replay_report(1000, 0.5, {16}), replay_report(2000, 0.5, {16})});
  Diff same = diff_reports(a, a, "a", "a");
  for (const DiffRow& r : same.rows) {
    CAPTURE(r.figure);
    CHECK(r.verdict == Verdict::unchanged);
  }
  add_gate(same, "memory.footprint_peak=1");
  CHECK(same.passed());
  json b = a;
  b[1]["memory"]["footprint_peak"] = 3000;
  Diff d = diff_reports(a, b, "a", "b");
  CHECK(row(d, "[t.json].memory.footprint_peak")->verdict == Verdict::unchanged);
  CHECK(row(d, "[t.json#2].memory.footprint_peak")->verdict == Verdict::worse);
  // A bench given the same trace twice names two workloads alike.
  json w = {{"name", "w.json"},
            {"allocators", json::array({{{"name", "fa32"}, {"ns_per_event", {{"median", 10.0}}}}})}};
  json w2 = w;
  w2["allocators"][0]["ns_per_event"]["median"] = 13.0;
  const json bench = {{"schema_version", 1}, {"command", "bench"}, {"workloads", json::array({w, w2})}};
  Diff bd = diff_reports(bench, bench, "a", "a");
  for (const DiffRow& r : bd.rows) CHECK(r.verdict == Verdict::unchanged);
  CHECK(row(bd, "workloads[w.json#2].allocators[fa32].ns_per_event.median") != nullptr);
}

TEST_CASE("--ignore leaves out a section or a figure, and must name one") {
  Diff d = diff_reports(replay_report(1000, 0.5, {16}), replay_report(1000, 0.5, {16}), "a", "b");
  ignore_figures(d, "timing");
  CHECK(row(d, "timing.ns_per_event") == nullptr);
  CHECK(row(d, "memory.footprint_peak") != nullptr);
  ignore_figures(d, "hit_rate");  // a leaf: pool.hit_rate and every class's
  CHECK(row(d, "pool.hit_rate") == nullptr);
  CHECK(row(d, "classes[16].hit_rate") == nullptr);
  CHECK(row(d, "classes[16].allocs") != nullptr);
  ignore_figures(d, "timing");  // already left out: still a figure of the reports
  ignore_figures(d, "pool.hit_rate");
  CHECK(row(d, "memory.footprint_peak") != nullptr);
  CHECK_THROWS_AS(ignore_figures(d, "time"), InputError);
  CHECK_THROWS_AS(add_gate(d, "ns_per_event=5"), InputError);  // left out: nothing to compare
}

TEST_CASE("integer figures past 2^53 compare and print exactly, not as doubles") {
  json a = replay_report(1000, 0.5, {16});
  json b = a;
  const std::uint64_t big = std::uint64_t{1} << 60;
  a["memory"]["footprint_peak"] = big;
  b["memory"]["footprint_peak"] = big + 1;  // the same double as 2^60
  a["events"]["total"] = UINT64_MAX;
  b["events"]["total"] = UINT64_MAX - 1;
  Diff d = diff_reports(a, b, "a", "b");
  const DiffRow* f = row(d, "memory.footprint_peak");
  REQUIRE(f != nullptr);
  CHECK(f->verdict == Verdict::worse);  // was unchanged
  REQUIRE(f->change.integer.has_value());
  CHECK(*f->change.integer == 1);
  CHECK(row(d, "events.total")->verdict == Verdict::changed);
  CHECK(row(d, "pool.hit_rate")->verdict == Verdict::unchanged);  // doubles as before
  add_gate(d, "footprint_peak=0");
  CHECK_FALSE(d.gates[0].passed);  // was passed: nothing seemed to change
  CHECK(d.gates[0].message.find("1152921504606846976 -> 1152921504606846977") != std::string::npos);

  std::ostringstream text;
  print_diff(text, d, DiffFormat::text, false, false);
  CHECK(text.str().find("1152921504606846977") != std::string::npos);
  CHECK(text.str().find("18446744073709551615") != std::string::npos);
  std::ostringstream js;
  print_diff(js, d, DiffFormat::json, false, false);
  const json out = json::parse(js.str());
  const auto fig = std::find_if(out["figures"].begin(), out["figures"].end(),
                                [](const json& r) { return r["figure"] == "memory.footprint_peak"; });
  REQUIRE(fig != out["figures"].end());
  CHECK((*fig)["new"].get<std::uint64_t>() == big + 1);
  CHECK((*fig)["new"].is_number_unsigned());
  CHECK((*fig)["change"] == 1);
  const auto total = std::find_if(out["figures"].begin(), out["figures"].end(),
                                  [](const json& r) { return r["figure"] == "events.total"; });
  REQUIRE(total != out["figures"].end());
  CHECK((*total)["base"].get<std::uint64_t>() == UINT64_MAX);
  CHECK((*total)["change"] == -1);
}

// A replay that stopped at an error counted only the events before it, so
// its figures shrink: a gate on them passed (exit 0) on a trace that was
// never replayed whole. Now diff warns and every gate fails.
TEST_CASE("a report whose replay stopped at an error fails every gate, and diff says why") {
  const json good = replay_report(1000, 0.5, {16});
  json stopped = replay_report(500, 0.5, {16});  // smaller: the replay stopped early
  stopped["error"] = {
      {"kind", "invalid_event"}, {"event", 3}, {"message", "event 3: free of id 8: never allocated"}};
  Diff d = diff_reports(good, stopped, "good.json", "stopped.json");
  REQUIRE(d.stopped.size() == 1);
  CHECK(d.stopped[0] ==
        "stopped.json: the replay stopped at an error (event 3: free of id 8: never allocated); its figures "
        "cover "
        "only the events before it");
  CHECK(std::find(d.warnings.begin(), d.warnings.end(), d.stopped[0]) != d.warnings.end());
  add_gate(d, "footprint_peak=5");  // 1000 -> 500: better, yet nothing was compared
  CHECK_FALSE(d.passed());
  CHECK(d.gates.back().message == d.stopped[0]);
  // Several traces in one report: the one that stopped is named by its path.
  json many = json::array({good, stopped});
  many[1]["trace"]["path"] = "s.json";
  Diff m = diff_reports(many, many, "a.json", "b.json");
  REQUIRE(m.stopped.size() == 2);
  CHECK(m.stopped[0].rfind("a.json [s.json]: the replay stopped", 0) == 0);
  // A report without an error (null) is compared as before.
  Diff ok = diff_reports(good, good, "a", "b");
  CHECK(ok.stopped.empty());
  add_gate(ok, "footprint_peak=5");
  CHECK(ok.passed());
}
