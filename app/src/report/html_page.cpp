// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/report/html_page.hpp"

#include "fa32/app/report/svg_chart.hpp"

namespace fa32::app::report {
namespace {

constexpr const char* kStyle = R"(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto;
       max-width: 1100px; padding: 0 16px; color: #1b1f24; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 24px 0 6px; }
.note { color: #57606a; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 140px; }
.card .label { color: #57606a; font-size: 12px; }
.card .value { font-size: 18px; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.val { text-align: right; overflow-wrap: anywhere; }
tr:nth-child(even) td { background: #f6f8fa; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; background: #fff;
            border: 1px solid #eaeef2; border-radius: 6px; }
svg.chart .chart-title { font-weight: 600; font-size: 14px; }
svg.chart .tick, svg.chart .legend text { font-size: 11px; fill: #424a53; }
svg.chart .axis-label { font-size: 12px; fill: #1b1f24; }
svg.chart .grid { stroke: #eaeef2; }
svg.chart .axis { stroke: #8c959f; }
svg.chart .whisker { stroke: #1b1f24; stroke-width: 1.5; fill: none; }
svg.chart .marker { fill: #D55E00; stroke: #fff; stroke-width: 1.5; }
svg.chart .marker-label { font-size: 11px; fill: #D55E00; font-weight: 600; }
svg.chart .mark { font-size: 14px; fill: #D55E00; }
code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
)";

// Installed first, so an error in any later script is counted.
constexpr const char* kErrorCatcher =
    "window.addEventListener('error', function () {\n"
    "  var d = document.documentElement;\n"
    "  d.setAttribute('data-script-errors', String(Number(d.getAttribute('data-script-errors') || 0) + 1));\n"
    "});\n";

// After layout: each chart's drawn size, and how many were drawn at all.
constexpr const char* kCheck =
    "(function () {\n"
    "  var charts = document.querySelectorAll('svg.chart'), drawn = 0;\n"
    "  charts.forEach(function (c) {\n"
    "    var r = c.getBoundingClientRect();\n"
    "    c.setAttribute('data-drawn-size', Math.round(r.width) + 'x' + Math.round(r.height));\n"
    "    if (r.width > 0 && r.height > 0 && c.querySelector('polyline, rect')) drawn++;\n"
    "  });\n"
    "  document.body.setAttribute('data-charts', String(charts.length));\n"
    "  document.body.setAttribute('data-charts-drawn', String(drawn));\n"
    "})();\n";

}  // namespace

void html_begin(std::ostream& out, std::string_view title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << svg::escape(title) << "</title>\n<style>" << kStyle << "</style>\n<script>\n"
      << kErrorCatcher << "</script>\n</head>\n<body>\n<h1>" << svg::escape(title) << "</h1>\n";
}

void html_end(std::ostream& out) {
  out << "<script>\n" << kCheck << "</script>\n</body>\n</html>\n";
}

std::string html_figure_row(std::string_view key, std::string_view label, std::string_view shown,
                            std::string_view value) {
  return "<tr data-key=\"" + svg::escape(key) + "\" data-value=\"" + svg::escape(value) + "\"><td>" +
         svg::escape(label) + "</td><td><code>" + svg::escape(key) + "</code></td><td class=\"val\">" +
         svg::escape(shown) + "</td></tr>\n";
}

}  // namespace fa32::app::report
