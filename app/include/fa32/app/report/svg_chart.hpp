// Charts drawn as inline SVG by fa32 itself, for the HTML reports: no script
// and nothing fetched, so a page is one file that opens from disk, and the
// same data always gives the same bytes.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fa32::app::report::svg {

// What a value axis counts: it picks the unit (KiB, MiB...) and the label.
enum class Unit { bytes, count, events, ns };

// An axis from 0 to top in display units, ticks included.
struct Scale {
  double divisor = 1;  // value / divisor = display value
  std::string unit;    // "MiB", "k", "" ...
  double top = 1;      // in display units
  std::vector<double> ticks;
};
Scale nice_scale(double max_value, Unit unit);
// A tick or value as the axis shows it, in the scale's unit.
std::string tick_text(double display_value);
// "bytes (MiB)", "allocations (k)", ...
std::string axis_label(std::string_view quantity, const Scale& s);
// "1.50 MiB", "12,345", for tooltips and the peak's label.
std::string value_text(double value, Unit unit);

// Text for HTML and SVG: markup characters escaped, and bytes that are not
// UTF-8 (the page's encoding) replaced by U+FFFD.
std::string escape(std::string_view text);

struct Series {
  std::string name;
  std::vector<double> y;  // one per x
};

struct LineChart {
  std::string id;
  std::string title;
  std::string x_label = "events";
  std::string y_quantity = "bytes";
  Unit y_unit = Unit::bytes;
  std::vector<double> x;  // ascending
  std::vector<Series> series;
  // A point marked with a dot and a label (the peak).
  std::optional<std::pair<double, double>> marker;
  std::string marker_label;
};
std::string line_chart(const LineChart& chart);

struct BarChart {
  std::string id;
  std::string title;
  std::string x_label;
  std::string y_quantity;
  Unit y_unit = Unit::count;
  std::vector<std::string> series;          // legend: one bar per series in each group
  std::vector<std::string> groups;          // category labels along x
  std::vector<std::vector<double>> values;  // [group][series]
  std::vector<std::vector<std::optional<std::pair<double, double>>>>
      whiskers;                           // empty, or [group][series] min..max
  std::vector<std::vector<bool>> marked;  // empty, or [group][series]: a star above the bar
  std::string mark_label;                 // what the star means, for the legend
};
std::string bar_chart(const BarChart& chart);

}  // namespace fa32::app::report::svg
