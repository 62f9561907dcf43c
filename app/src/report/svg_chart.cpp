// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fa32/traces/printable.hpp"

namespace fa32::app::report::svg {
namespace {

// Geometry of every chart, in SVG user units (the page scales it to fit).
constexpr double kWidth = 760;
constexpr double kHeight = 320;
constexpr double kLeft = 78;
constexpr double kRight = 16;
constexpr double kTop = 34;
constexpr double kPlotHeight = 200;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kBottom = kTop + kPlotHeight;

// Colour-blind-safe palette (Okabe-Ito).
constexpr const char* kColors[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                   "#56B4E9", "#D55E00", "#F0E442"};

const char* color(std::size_t i) {
  return kColors[i % (sizeof kColors / sizeof kColors[0])];
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

using traces::utf8_length;

std::string open_svg(const std::string& id, const std::string& title, double height) {
  return "<svg class=\"chart\" id=\"" + escape(id) +
         "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
         "\" width=\"" + num(kWidth) + "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"" +
         escape(title) + "\">\n<title>" + escape(title) + "</title>\n" + "<text class=\"chart-title\" x=\"" +
         num(kLeft) + "\" y=\"20\">" + escape(title) + "</text>\n";
}

// The y axis: gridlines, tick labels and the rotated quantity label.
std::string y_axis(const Scale& s, const std::string& label) {
  std::string out;
  for (double t : s.ticks) {
    const double y = kBottom - t / s.top * kPlotHeight;
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" y1=\"" + num(y) + "\" x2=\"" +
           num(kLeft + kPlotWidth) + "\" y2=\"" + num(y) + "\"/>\n";
    out += "<text class=\"tick\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           escape(tick_text(t)) + "</text>\n";
  }
  out += "<text class=\"axis-label\" transform=\"translate(16 " + num(kTop + kPlotHeight / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(label) + "</text>\n";
  out += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(kLeft) +
         "\" y2=\"" + num(kBottom) + "\"/>\n<line class=\"axis\" x1=\"" + num(kLeft) + "\" y1=\"" +
         num(kBottom) + "\" x2=\"" + num(kLeft + kPlotWidth) + "\" y2=\"" + num(kBottom) + "\"/>\n";
  return out;
}

// One row of legend entries below the plot.
std::string legend(const std::vector<std::string>& names, double y, const std::string& extra) {
  std::string out = "<g class=\"legend\">\n";
  double x = kLeft;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) + "\" width=\"12\" height=\"12\" fill=\"" +
           color(i) + "\"/><text x=\"" + num(x + 17) + "\" y=\"" + num(y) + "\">" + escape(names[i]) +
           "</text>\n";
    x += 30 + 7.0 * double(names[i].size());
  }
  if (!extra.empty()) out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\">" + escape(extra) + "</text>\n";
  return out + "</g>\n";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // The page is UTF-8; a file name in another encoding (Latin-1
      // "caf\xe9.fa32") put its raw bytes in it. They become U+FFFD, one
      // per byte, as the JSON reports write them.
      const std::size_t n = utf8_length(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Scale nice_scale(double max_value, Unit unit) {
  Scale s;
  if (!(max_value > 0) || !std::isfinite(max_value)) max_value = 0;
  if (unit == Unit::bytes) {
    static const char* const names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (max_value / s.divisor >= 1024.0 && u < 4) {
      s.divisor *= 1024.0;
      ++u;
    }
    s.unit = names[u];
  } else if (unit != Unit::ns) {
    static const char* const names[] = {"", "thousands", "millions", "billions"};
    int u = 0;
    while (max_value / s.divisor >= 10000.0 && u < 3) {
      s.divisor *= 1000.0;
      ++u;
    }
    s.unit = names[u];
  }
  const double top = max_value / s.divisor;
  double step = 1;
  if (top > 0) {
    const double raw = top / 5.0;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    // Whole numbers of items: no tick at 0.5 allocations.
    if (unit != Unit::bytes && unit != Unit::ns && s.divisor == 1) step = std::max(step, 1.0);
  }
  s.top = top > 0 ? std::ceil(top / step - 1e-9) * step : step;
  for (int i = 0; double(i) * step <= s.top + step * 1e-9; ++i) s.ticks.push_back(double(i) * step);
  return s;
}

std::string tick_text(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 1e-9) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  }
  return buf;
}

std::string axis_label(std::string_view quantity, const Scale& s) {
  std::string out(quantity);
  if (!s.unit.empty()) out += " (" + s.unit + ")";
  return out;
}

std::string value_text(double value, Unit unit) {
  char buf[48];
  if (unit == Unit::bytes && value >= 1024) {
    const Scale s = nice_scale(value, unit);
    std::snprintf(buf, sizeof buf, "%.2f %s", value / s.divisor, s.unit.c_str());
  } else if (unit == Unit::bytes) {
    std::snprintf(buf, sizeof buf, "%.0f B", value);
  } else if (unit == Unit::ns) {
    std::snprintf(buf, sizeof buf, "%.1f ns", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  }
  return buf;
}

std::string line_chart(const LineChart& c) {
  double max_x = 0;
  double max_y = 0;
  for (double x : c.x) max_x = std::max(max_x, x);
  for (const Series& s : c.series) {
    for (double y : s.y) max_y = std::max(max_y, y);
  }
  const Scale xs = nice_scale(max_x, Unit::events);
  const Scale ys = nice_scale(max_y, c.y_unit);
  const auto px = [&](double x) { return kLeft + x / xs.divisor / xs.top * kPlotWidth; };
  const auto py = [&](double y) { return kBottom - y / ys.divisor / ys.top * kPlotHeight; };

  std::string out = open_svg(c.id, c.title, kHeight);
  out += y_axis(ys, axis_label(c.y_quantity, ys));
  for (double t : xs.ticks) {
    out += "<text class=\"tick\" x=\"" + num(kLeft + t / xs.top * kPlotWidth) + "\" y=\"" +
           num(kBottom + 16) + "\" text-anchor=\"middle\">" + escape(tick_text(t)) + "</text>\n";
  }
  out += "<text class=\"axis-label\" x=\"" + num(kLeft + kPlotWidth / 2) + "\" y=\"" + num(kBottom + 36) +
         "\" text-anchor=\"middle\">" + escape(axis_label(c.x_label, xs)) + "</text>\n";
  std::vector<std::string> names;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const Series& s = c.series[i];
    names.push_back(s.name);
    std::string points;
    for (std::size_t k = 0; k < s.y.size() && k < c.x.size(); ++k) {
      if (k != 0) points += ' ';
      points += num(px(c.x[k])) + "," + num(py(s.y[k]));
    }
    out += "<polyline class=\"series\" fill=\"none\" stroke=\"" + std::string(color(i)) +
           "\" stroke-width=\"2\" points=\"" + points + "\"><title>" + escape(s.name) +
           "</title></polyline>\n";
  }
  std::string extra;
  if (c.marker) {
    const double x = px(c.marker->first);
    const double y = py(c.marker->second);
    out += "<circle class=\"marker\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"5\"><title>" +
           escape(c.marker_label) + "</title></circle>\n";
    // The label sits left of the dot when the dot is near the right edge.
    const bool left = x > kLeft + kPlotWidth * 0.6;
    out += "<text class=\"marker-label\" x=\"" + num(left ? x - 9 : x + 9) + "\" y=\"" +
           num(std::max(y - 6, kTop + 10)) + "\" text-anchor=\"" + (left ? "end" : "start") + "\">" +
           escape(c.marker_label) + "</text>\n";
    extra = "\u25CF " + c.marker_label;
  }
  out += legend(names, kBottom + 60, extra);
  return out + "</svg>\n";
}

std::string bar_chart(const BarChart& c) {
  double max_y = 0;
  for (std::size_t g = 0; g < c.values.size(); ++g) {
    for (std::size_t s = 0; s < c.values[g].size(); ++s) {
      max_y = std::max(max_y, c.values[g][s]);
      if (g < c.whiskers.size() && s < c.whiskers[g].size() && c.whiskers[g][s])
        max_y = std::max(max_y, c.whiskers[g][s]->second);
    }
  }
  const Scale ys = nice_scale(max_y, c.y_unit);
  const auto py = [&](double y) { return kBottom - y / ys.divisor / ys.top * kPlotHeight; };
  // Long or many category labels are turned to fit.
  std::size_t longest = 0;
  for (const std::string& g : c.groups) longest = std::max(longest, g.size());
  const double group_width = c.groups.empty() ? kPlotWidth : kPlotWidth / double(c.groups.size());
  const bool turned = double(longest) * 7.0 > group_width;
  const double label_room = turned ? std::min(140.0, 6.0 * double(longest)) + 10 : 24;
  const double height = kBottom + label_room + 60;

  std::string out = open_svg(c.id, c.title, height);
  out += y_axis(ys, axis_label(c.y_quantity, ys));
  const std::size_t n = std::max<std::size_t>(1, c.series.size());
  const double bar = group_width * 0.8 / double(n);
  for (std::size_t g = 0; g < c.groups.size(); ++g) {
    const double gx = kLeft + group_width * double(g);
    for (std::size_t s = 0; s < n && g < c.values.size() && s < c.values[g].size(); ++s) {
      const double v = c.values[g][s];
      const double x = gx + group_width * 0.1 + bar * double(s);
      const double y = py(v);
      const std::string name = s < c.series.size() ? c.series[s] + ", " : std::string();
      out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
             num(std::max(bar - 1, 1.0)) + "\" height=\"" + num(kBottom - y) + "\" fill=\"" + color(s) +
             "\"><title>" + escape(c.groups[g] + ": " + name + value_text(v, c.y_unit)) + "</title></rect>\n";
      const double mid = x + bar / 2;
      double top = y;
      if (g < c.whiskers.size() && s < c.whiskers[g].size() && c.whiskers[g][s]) {
        const double lo = py(c.whiskers[g][s]->first);
        const double hi = py(c.whiskers[g][s]->second);
        top = std::min(top, hi);
        out += "<path class=\"whisker\" d=\"M" + num(mid) + " " + num(lo) + "V" + num(hi) + "M" +
               num(mid - 4) + " " + num(lo) + "h8M" + num(mid - 4) + " " + num(hi) + "h8\"><title>" +
               escape("min " + value_text(c.whiskers[g][s]->first, c.y_unit) + ", max " +
                      value_text(c.whiskers[g][s]->second, c.y_unit)) +
               "</title></path>\n";
      }
      if (g < c.marked.size() && s < c.marked[g].size() && c.marked[g][s]) {
        out += "<text class=\"mark\" x=\"" + num(mid) + "\" y=\"" + num(top - 4) +
               "\" text-anchor=\"middle\">\u2605</text>\n";
      }
    }
    const double lx = gx + group_width / 2;
    if (turned) {
      out += "<text class=\"tick\" transform=\"translate(" + num(lx) + " " + num(kBottom + 12) +
             ") rotate(-35)\" text-anchor=\"end\">" + escape(c.groups[g]) + "</text>\n";
    } else {
      out += "<text class=\"tick\" x=\"" + num(lx) + "\" y=\"" + num(kBottom + 16) +
             "\" text-anchor=\"middle\">" + escape(c.groups[g]) + "</text>\n";
    }
  }
  out += "<text class=\"axis-label\" x=\"" + num(kLeft + kPlotWidth / 2) + "\" y=\"" +
         num(kBottom + label_room + 14) + "\" text-anchor=\"middle\">" + escape(c.x_label) + "</text>\n";
  out += legend(c.series, kBottom + label_room + 40, c.mark_label.empty() ? "" : "\u2605 " + c.mark_label);
  return out + "</svg>\n";
}

}  // namespace fa32::app::report::svg
