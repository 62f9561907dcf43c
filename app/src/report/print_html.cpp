// HTML: one self-contained page per run, one section per trace. Every number
// comes from the figure list the JSON printer prints (data-key/data-value
// carry the machine value), the charts from the same Report.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdio>
#include <string>

#include "fa32/app/report/html_page.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/svg_chart.hpp"
#include "replay_charts.hpp"

namespace fa32::app::report {
namespace {

using svg::escape;

// The headline figures, shown as cards; keys as in the JSON report.
constexpr const char* kCards[] = {"events.total",
                                  "memory.peak_live_bytes",
                                  "memory.footprint_peak",
                                  "memory.footprint_end",
                                  "fragmentation.overhead_peak_vs_peak",
                                  "fragmentation.internal_at_peak",
                                  "pool.hit_rate",
                                  "fallback.rate",
                                  "leaks.count",
                                  "leaks.bytes",
                                  "timing.ns_per_event"};

void cards(std::ostream& out, const std::vector<Figure>& figs) {
  out << "<div class=\"cards\">\n";
  for (const char* key : kCards) {
    for (const Figure& f : figs) {
      if (f.key != key) continue;
      out << "<div class=\"card\" data-key=\"" << escape(f.key) << "\" data-value=\""
          << escape(json_value_text(f)) << "\"><div class=\"label\">" << escape(f.label)
          << "</div><div class=\"value\">" << escape(format_value(f, true)) << "</div></div>\n";
    }
  }
  out << "</div>\n";
}

void class_table(std::ostream& out, const Report& r) {
  if (r.classes.empty()) return;
  out << "<table class=\"classes\"><tr><th class=\"num\">block size</th><th class=\"num\">pool allocs</th>"
         "<th class=\"num\">fallbacks</th><th class=\"num\">hit rate</th><th class=\"num\">peak in use</th>"
         "<th class=\"num\">at end</th><th class=\"num\">capacity</th><th class=\"num\">peak occupancy</th>"
         "<th class=\"num\">unused capacity at peak</th><th class=\"num\">block padding at peak</th></tr>\n";
  const auto pct = [](const std::optional<double>& v) {
    if (!v) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", *v * 100.0);
    return std::string(buf);
  };
  std::size_t unused = 0;
  for (const ClassFigures& k : r.classes) {
    if (!k.used()) {
      ++unused;
      continue;
    }
    out << "<tr><td class=\"num\">" << k.block_size << " B</td><td class=\"num\">" << k.allocs
        << "</td><td class=\"num\">" << k.fallback_allocs << "</td><td class=\"num\">" << pct(k.hit_rate)
        << "</td><td class=\"num\">" << k.blocks_in_use_peak << "</td><td class=\"num\">"
        << k.blocks_in_use_end << "</td><td class=\"num\">" << k.capacity_blocks << "</td><td class=\"num\">"
        << pct(k.occupancy_peak) << "</td><td class=\"num\">" << escape(human_bytes(class_unused_bytes(k)))
        << "</td><td class=\"num\">" << escape(human_bytes(class_padding_bytes(k))) << "</td></tr>\n";
  }
  out << "</table>\n";
  if (unused != 0)
    out << "<p class=\"note\">" << unused << " of " << r.classes.size()
        << " classes not used by this trace are not shown.</p>\n";
  out << "<p class=\"note\">Unused capacity: blocks the class holds beyond its peak in use, times "
         "the "
         "block size. Block padding: the peak blocks in use times the block size, less the peak of requested "
         "bytes (0 when the peaks are not kept).</p>\n";
}

void leak_table(std::ostream& out, const Report& r) {
  const replay::ReplayResult& x = r.result;
  out << "<h3>Leaks</h3>\n<p>" << x.leak_count << " allocations (" << escape(human_bytes(x.leak_bytes))
      << ") still live after the last event";
  if (x.leak_count == 0) {
    out << ".</p>\n";
    return;
  }
  if (x.leaks.empty()) {  // --leaks 0: none listed, and no empty table
    out << " (<code>--leaks N</code> lists them).</p>\n";
    return;
  }
  out << "; the first " << x.leaks.size()
      << " by the event that allocated them (<code>--leaks N</code> lists "
      << "more):</p>\n<table class=\"leaks\"><tr><th class=\"num\">id</th><th class=\"num\">size</th>"
         "<th class=\"num\">allocated at event</th></tr>\n";
  for (const replay::Leak& l : x.leaks) {
    out << "<tr><td class=\"num\">" << l.id << "</td><td class=\"num\">" << l.size
        << " B</td><td class=\"num\">" << l.event << "</td></tr>\n";
  }
  out << "</table>\n";
}

void section(std::ostream& out, const Report& r, std::size_t index) {
  const std::vector<Figure> figs = figures(r);
  out << "<section class=\"report\">\n<h2>" << escape(r.trace) << "</h2>\n<p class=\"note\">"
      << escape(r.trace_format) << " trace replayed through <b>" << escape(r.allocator)
      << "</b>: " << escape(r.allocator_config) << "; touch " << escape(r.touch)
      << (r.verify ? ", verified" : "") << "</p>\n";
  if (r.result.error) out << "<p><b>Error:</b> " << escape(r.result.error->message) << "</p>\n";
  for (const Gate& g : r.gates) {
    if (!g.passed) out << "<p><b>Gate " << escape(g.name) << " failed:</b> " << escape(g.message) << "</p>\n";
  }
  cards(out, figs);
  const std::string prefix = "r" + std::to_string(index) + "-";
  const std::vector<std::string> charts = replay_charts(r, prefix);
  if (r.result.timeline.empty()) out << "<p class=\"note\">No memory-over-time points were recorded.</p>\n";
  for (const std::string& c : charts) out << c;
  class_table(out, r);
  leak_table(out, r);
  out << "<h3>All figures</h3>\n<p class=\"note\">The same figures, under the same keys, as "
         "<code>--format json</code>.</p>\n<table class=\"figures\"><tr><th>figure</th><th>key</th>"
         "<th class=\"num\">value</th></tr>\n";
  for (const Figure& f : figs)
    out << html_figure_row(f.key, f.label, format_value(f, true), json_value_text(f));
  out << "</table>\n</section>\n";
}

}  // namespace

void print_html(std::ostream& out, std::span<const Report> reports) {
  std::string title = "fa32 replay report";
  if (reports.size() == 1) title += ": " + reports[0].trace;
  html_begin(out, title);
  for (std::size_t i = 0; i < reports.size(); ++i) section(out, reports[i], i);
  html_end(out);
}

}  // namespace fa32::app::report
