// The HTML reports and their SVG charts: the page's figures are the JSON
// report's, nothing is fetched, and the charts carry units and legends.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/app/bench/bench_printers.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/fa32_allocator.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/report.hpp"
#include "fa32/app/report/svg_chart.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app;
using namespace fa32::test;
namespace svg = fa32::app::report::svg;

namespace {

// A real replay through fastalloc32: small, large and leaked blocks.
report::Report replayed() {
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    evs.push_back(ev_malloc(i % 50, 8 + (i * 37) % 300));
    if (i % 50 == 49) {
      for (std::uint64_t k = 0; k < 50; ++k) evs.push_back(ev_free(k));
    }
  }
  evs.push_back(ev_malloc(100, 5 << 20));
  replay::Fa32Settings s;
  s.config.track_peaks = 1;
  replay::Fa32Allocator a(s);
  replay::ReplayOptions o;
  o.timeline_points = 100;
  replay::ReplayResult r = replay::replay(evs, a, o);
  REQUIRE_FALSE(r.error);
  return report::build_report("made-up <trace>.json", "json", a, o, std::move(r));
}

std::string html_of(const report::Report& r) {
  std::ostringstream out;
  report::print_html(out, std::span<const report::Report>(&r, 1));
  return out.str();
}

// The JSON report's value at a dotted key, as print_json nests it.
const nlohmann::json* json_at(const nlohmann::json& j, const std::string& key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string::npos || !j.contains(key.substr(0, dot))) return nullptr;
  const nlohmann::json& section = j[key.substr(0, dot)];
  const std::string rest = key.substr(dot + 1);
  return section.contains(rest) ? &section[rest] : nullptr;
}

}  // namespace

TEST_CASE("every figure of the HTML page equals the JSON report's") {
  const report::Report r = replayed();
  const std::string html = html_of(r);
  std::ostringstream js;
  report::print_json(js, std::span<const report::Report>(&r, 1));
  const nlohmann::json j = nlohmann::json::parse(js.str());

  const std::regex row("data-key=\"([^\"]+)\" data-value=\"([^\"]*)\"");
  std::size_t compared = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it) {
    const std::string key = (*it)[1];
    const std::string value = (*it)[2];
    CAPTURE(key);
    if (key.rfind("class_", 0) == 0) continue;  // the JSON has them in the classes array
    const nlohmann::json* v = json_at(j, key);
    REQUIRE(v != nullptr);
    if (v->is_number()) {
      // The JSON's own text, every digit: a script reading data-value gets
      // the number --format json gives.
      CHECK(value == v->dump());
    } else if (v->is_boolean()) {
      CHECK(value == (v->get<bool>() ? "true" : "false"));
    } else if (v->is_null()) {
      CHECK(value.empty());
    } else {
      // Text is escaped for HTML; the trace name here has < and >.
      CHECK(value == svg::escape(v->get<std::string>()));
    }
    ++compared;
  }
  CHECK(compared > 60);
  CHECK(html.find("data-key=\"memory.footprint_peak\"") != std::string::npos);
}

TEST_CASE("the replay page is self-contained and has every chart with units and legends") {
  const report::Report r = replayed();
  const std::string html = html_of(r);
  // Nothing fetched: no src or href attribute, no CSS import or url().
  CHECK(html.find(" src=") == std::string::npos);
  CHECK(html.find(" href=") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  for (const char* id : {"r0-memory", "r0-sizes", "r0-lifetimes", "r0-class-blocks", "r0-class-waste",
                         "r0-large-fallback", "r0-large-fallback-bytes"}) {
    CAPTURE(id);
    CHECK(html.find("id=\"" + std::string(id) + "\"") != std::string::npos);
  }
  CHECK(html.find("bytes (MiB)") != std::string::npos);  // the 5 MiB leak sets the memory axis unit
  CHECK(html.find(">events") != std::string::npos);
  CHECK(html.find("live bytes (requested)") != std::string::npos);  // a legend entry
  CHECK(html.find("peak live ") != std::string::npos);
  CHECK(html.find("made-up &lt;trace&gt;.json") != std::string::npos);
  CHECK(html.find("<trace>") == std::string::npos);
  // The leak: 5 MiB, allocated by the last event.
  CHECK(html.find("<td class=\"num\">5242880 B</td>") != std::string::npos);
}

TEST_CASE("with --leaks 0 the page counts the leaks and lists none, without an empty table") {
  std::vector<ReplayEvent> evs{ev_malloc(0, 40), ev_malloc(1, 24)};
  replay::Fa32Settings s;
  replay::Fa32Allocator a(s);
  replay::ReplayOptions o;
  o.leak_limit = 0;
  const report::Report r = report::build_report("t.json", "json", a, o, replay::replay(evs, a, o));
  const std::string html = html_of(r);
  CHECK(html.find("<p>2 allocations (64 B) still live after the last event (<code>--leaks N</code> lists "
                  "them).</p>") != std::string::npos);
  CHECK(html.find("the first 0") == std::string::npos);
  CHECK(html.find("class=\"leaks\"") == std::string::npos);
}

TEST_CASE("a replay with no events still gives a valid page, without charts of nothing") {
  replay::Fa32Settings s;
  replay::Fa32Allocator a(s);
  replay::ReplayOptions o;
  o.timeline_points = 100;
  const report::Report r = report::build_report("empty.json", "json", a, o, replay::replay({}, a, o));
  const std::string html = html_of(r);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(html.find("id=\"r0-sizes\"") == std::string::npos);
  CHECK(html.find("id=\"r0-lifetimes\"") == std::string::npos);
}

TEST_CASE("axis scales pick a unit and round ticks") {
  const svg::Scale b = svg::nice_scale(19637394, svg::Unit::bytes);  // 18.7 MiB
  CHECK(b.unit == "MiB");
  CHECK(b.top == doctest::Approx(20));
  CHECK(b.ticks.front() == 0);
  CHECK(b.ticks.back() == doctest::Approx(b.top));
  CHECK(svg::axis_label("bytes", b) == "bytes (MiB)");
  CHECK(svg::nice_scale(900, svg::Unit::bytes).unit == "B");
  const svg::Scale e = svg::nice_scale(2873067, svg::Unit::events);
  CHECK(e.unit == "thousands");
  CHECK(e.top == doctest::Approx(3000));
  const svg::Scale small = svg::nice_scale(3, svg::Unit::count);
  CHECK(small.ticks.size() == 4);  // 0 1 2 3: no half allocations
  const svg::Scale zero = svg::nice_scale(0, svg::Unit::count);
  CHECK(zero.top > 0);
  CHECK(svg::value_text(1536, svg::Unit::bytes) == "1.50 KiB");
}

TEST_CASE("bar charts draw whiskers and marks, line charts one polyline per series") {
  svg::BarChart b;
  b.id = "b";
  b.title = "t";
  b.y_quantity = "ns/event";
  b.y_unit = svg::Unit::ns;
  b.series = {"fa32", "glibc"};
  b.groups = {"w"};
  b.values = {{5, 10}};
  b.whiskers = {{std::make_pair(4.0, 6.0), std::make_pair(9.0, 14.0)}};
  b.marked = {{true, false}};
  b.mark_label = "fastest";
  const std::string s = svg::bar_chart(b);
  CHECK(s.find("class=\"whisker\"") != std::string::npos);
  CHECK(s.find("class=\"mark\"") != std::string::npos);
  CHECK(s.find("fastest") != std::string::npos);
  CHECK(s.find("min 4.0 ns, max 6.0 ns") != std::string::npos);

  svg::LineChart l;
  l.id = "l";
  l.x = {1, 2, 3};
  l.series = {{"a", {1, 2, 3}}, {"b", {3, 2, 1}}};
  const std::string ls = svg::line_chart(l);
  std::size_t polylines = 0;
  for (std::size_t at = ls.find("<polyline"); at != std::string::npos; at = ls.find("<polyline", at + 1))
    ++polylines;
  CHECK(polylines == 2);
}

TEST_CASE("the bench page stars the fastest and shows every allocator of every workload") {
  bench::BenchReport r;
  r.runs = 3;
  bench::WorkloadResult w;
  w.name = "churn";
  bench::AllocatorRow a;
  a.name = "fa32";
  a.ns_per_event = {5.0, 5.5, 5.2};
  a.footprint_peak_bytes = 131072;
  a.peak_rss_bytes = 8 << 20;
  bench::AllocatorRow g = a;
  g.name = "glibc";
  g.ns_per_event = {10.0, 14.0, 10.5};
  w.allocators = {a, g};
  bench::derive_figures(w, r.noise_threshold);
  r.workloads.push_back(w);
  std::ostringstream out;
  bench::print_bench(out, r, report::ReportFormat::html);
  const std::string html = out.str();
  for (const char* id : {"bench-speed", "bench-footprint", "bench-rss"}) {
    CHECK(html.find("id=\"" + std::string(id) + "\"") != std::string::npos);
  }
  CHECK(html.find("<td>fa32 \u2605</td>") != std::string::npos);
  CHECK(html.find("<td>glibc</td>") != std::string::npos);
  CHECK(html.find("min 10.0 ns, max 14.0 ns") != std::string::npos);
}
