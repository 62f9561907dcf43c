// The bench report as one self-contained HTML page: per workload, ns/event of
// every allocator (median, min-max whiskers, the fastest starred), then
// footprint and peak RSS bars, then the table the other printers show.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdio>
#include <string>

#include "fa32/app/bench/bench_printers.hpp"
#include "fa32/app/report/html_page.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/svg_chart.hpp"

namespace fa32::app::bench {
namespace {

namespace svg = report::svg;
using svg::escape;

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// One chart per figure, groups = workloads, one bar per allocator: the
// allocators are the series, so a colour means the same allocator in every chart.
struct Charts {
  svg::BarChart speed;
  svg::BarChart footprint;
  svg::BarChart rss;
};

Charts build(const BenchReport& r, const std::vector<std::string>& names) {
  Charts c;
  c.speed.id = "bench-speed";
  c.speed.title = "Time per event (median of the runs; whiskers: min to max)";
  c.speed.y_quantity = "ns/event (" + r.clock + " time)";
  c.speed.y_unit = svg::Unit::ns;
  c.speed.mark_label = "fastest";
  c.footprint.id = "bench-footprint";
  c.footprint.title = "Footprint peak (bytes held from the system, where the allocator reports it)";
  c.footprint.y_quantity = "bytes";
  c.footprint.y_unit = svg::Unit::bytes;
  c.rss.id = "bench-rss";
  c.rss.title = "Peak resident memory of the replaying process";
  c.rss.y_quantity = "bytes";
  c.rss.y_unit = svg::Unit::bytes;
  for (svg::BarChart* b : {&c.speed, &c.footprint, &c.rss}) {
    b->series = names;
    b->x_label = "workload";
  }
  for (const WorkloadResult& w : r.workloads) {
    std::vector<double> speed(names.size(), 0.0);
    std::vector<double> foot(names.size(), 0.0);
    std::vector<double> rss(names.size(), 0.0);
    std::vector<std::optional<std::pair<double, double>>> whisk(names.size());
    std::vector<bool> fastest(names.size(), false);
    for (const AllocatorRow& a : w.allocators) {
      std::size_t i = 0;
      while (i < names.size() && names[i] != a.name) ++i;
      if (i == names.size() || a.status != RunStatus::ok) continue;
      speed[i] = a.summary.median;
      whisk[i] = std::make_pair(a.summary.min, a.summary.max);
      fastest[i] = a.fastest;
      foot[i] = double(a.footprint_peak_bytes.value_or(0));
      rss[i] = double(a.peak_rss_bytes);
    }
    for (svg::BarChart* b : {&c.speed, &c.footprint, &c.rss}) b->groups.push_back(w.name);
    c.speed.values.push_back(speed);
    c.speed.whiskers.push_back(whisk);
    c.speed.marked.push_back(fastest);
    c.footprint.values.push_back(foot);
    c.rss.values.push_back(rss);
  }
  return c;
}

void table(std::ostream& out, const WorkloadResult& w) {
  out << "<h3>" << escape(w.name) << "</h3>\n<p class=\"note\">" << escape(w.source) << ", " << w.events
      << " events";
  if (w.repetitions > 1) out << " \u00d7 " << w.repetitions << " repetitions";
  out << ", live peak " << escape(report::human_bytes(w.live_peak_bytes)) << "</p>\n"
      << "<table class=\"bench\"><tr><th>allocator</th><th class=\"num\">ns/event (median)</th>"
         "<th class=\"num\">min</th><th class=\"num\">max</th><th class=\"num\">vs fastest</th>"
         "<th class=\"num\">footprint peak</th><th class=\"num\">peak RSS</th><th>status</th></tr>\n";
  for (const AllocatorRow& a : w.allocators) {
    const bool ok = a.status == RunStatus::ok;
    out << "<tr><td>" << escape(a.name) << (a.fastest ? " \u2605" : "") << "</td><td class=\"num\">"
        << (ok ? fixed(a.summary.median, 1) : "-") << "</td><td class=\"num\">"
        << (ok ? fixed(a.summary.min, 1) : "-") << "</td><td class=\"num\">"
        << (ok ? fixed(a.summary.max, 1) : "-") << "</td><td class=\"num\">"
        << (a.ratio_to_fastest ? fixed(*a.ratio_to_fastest, 2) + "\u00d7" : "-") << "</td><td class=\"num\">"
        << (a.footprint_peak_bytes ? escape(report::human_bytes(*a.footprint_peak_bytes)) : "-")
        << "</td><td class=\"num\">" << (ok ? escape(report::human_bytes(a.peak_rss_bytes)) : "-")
        << "</td><td>" << escape(status_name(a.status)) << (a.message.empty() ? "" : ": " + escape(a.message))
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

void print_bench_html(std::ostream& out, const BenchReport& r) {
  report::html_begin(out, "fa32 bench report");
  out << "<p class=\"note\">" << r.runs << " measured runs (" << r.warmup << " warm-up) per allocator and "
      << "workload, " << escape(r.clock) << " time of the replaying thread, touch " << escape(r.touch)
      << ". Bars are medians; a star marks the fastest.</p>\n";
  std::vector<std::string> names;
  for (const WorkloadResult& w : r.workloads) {
    for (const AllocatorRow& a : w.allocators) {
      bool seen = false;
      for (const std::string& n : names) seen = seen || n == a.name;
      if (!seen) names.push_back(a.name);
    }
  }
  if (!r.workloads.empty()) {
    const Charts c = build(r, names);
    out << svg::bar_chart(c.speed) << svg::bar_chart(c.footprint) << svg::bar_chart(c.rss);
  }
  for (const WorkloadResult& w : r.workloads) table(out, w);
  if (!r.notes.empty()) {
    out << "<h3>Notes</h3>\n<ul>\n";
    for (const std::string& n : r.notes) out << "<li>" << escape(n) << "</li>\n";
    out << "</ul>\n";
  }
  report::html_end(out);
}

}  // namespace fa32::app::bench
