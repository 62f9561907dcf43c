// The charts of a replay report, from the same Report the JSON printer reads.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "replay_charts.hpp"

#include <string>

#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/svg_chart.hpp"

namespace fa32::app::report {
namespace {

using replay::TimelinePoint;

std::vector<double> column(const std::vector<TimelinePoint>& t, std::uint64_t TimelinePoint::*field) {
  std::vector<double> out;
  out.reserve(t.size());
  for (const TimelinePoint& p : t) out.push_back(double(p.*field));
  return out;
}

// "<= 64 B", "<= 2 KiB": the bins of a power-of-two histogram.
std::string bin_label(int b, bool bytes) {
  if (b >= 64) return bytes ? "> 8 EiB" : "> 2^63";
  const std::uint64_t le = std::uint64_t{1} << b;
  if (!bytes) return "\u2264 " + std::to_string(le);
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  return "\u2264 " + std::to_string(le >> (b / 10 * 10)) + " " + units[b / 10];
}

std::string histogram(const std::string& id, const std::string& title, const std::string& x_label,
                      const std::string& y_quantity, const std::array<std::uint64_t, replay::size_bins>& h,
                      bool bytes) {
  int first = -1;
  int last = -1;
  for (int b = 0; b < replay::size_bins; ++b) {
    if (h[b] == 0) continue;
    if (first < 0) first = b;
    last = b;
  }
  if (first < 0) return {};
  svg::BarChart c;
  c.id = id;
  c.title = title;
  c.x_label = x_label;
  c.y_quantity = y_quantity;
  c.y_unit = svg::Unit::count;
  c.series = {y_quantity};
  for (int b = first; b <= last; ++b) {
    c.groups.push_back(bin_label(b, bytes));
    c.values.push_back({double(h[b])});
  }
  return svg::bar_chart(c);
}

}  // namespace

std::vector<std::string> replay_charts(const Report& r, const std::string& prefix) {
  std::vector<std::string> out;
  const replay::ReplayResult& x = r.result;
  const auto& t = x.timeline;
  if (!t.empty()) {
    svg::LineChart c;
    c.id = prefix + "memory";
    c.title = "Memory over time";
    c.x = column(t, &TimelinePoint::events);
    c.series = {{"live bytes (requested)", column(t, &TimelinePoint::live_bytes)},
                {"reserved", column(t, &TimelinePoint::reserved)},
                {"footprint", column(t, &TimelinePoint::footprint)}};
    if (x.peak_live_bytes != 0) {
      c.marker = std::make_pair(double(x.peak_live_bytes_event + 1), double(x.peak_live_bytes));
      c.marker_label = "peak live " + svg::value_text(double(x.peak_live_bytes), svg::Unit::bytes) +
                       " at event " + std::to_string(x.peak_live_bytes_event);
    }
    out.push_back(svg::line_chart(c));
  }
  std::string sizes =
      histogram(prefix + "sizes", "Requested sizes", "requested size (bytes, by power of two)", "allocations",
                x.size_histogram, true);
  if (!sizes.empty()) out.push_back(std::move(sizes));
  std::string lifetimes =
      histogram(prefix + "lifetimes", "Lifetimes: events between an allocation and its free",
                "lifetime (events, by power of two)", "frees", x.lifetime_histogram, false);
  if (!lifetimes.empty()) out.push_back(std::move(lifetimes));

  if (!r.classes.empty()) {
    svg::BarChart blocks;
    blocks.id = prefix + "class-blocks";
    blocks.title = "Size classes: blocks in use and capacity";
    blocks.x_label = "size class (block size)";
    blocks.y_quantity = "blocks";
    blocks.series = {"in use at peak", "in use at end", "capacity"};
    svg::BarChart waste;
    waste.id = prefix + "class-waste";
    waste.title = "Size classes: waste at each class's peak";
    waste.x_label = "size class (block size)";
    waste.y_quantity = "bytes";
    waste.y_unit = svg::Unit::bytes;
    waste.series = {"unused capacity", "block padding"};
    for (const ClassFigures& k : r.classes) {
      const std::string name = std::to_string(k.block_size) + " B";
      blocks.groups.push_back(name);
      blocks.values.push_back(
          {double(k.blocks_in_use_peak), double(k.blocks_in_use_end), double(k.capacity_blocks)});
      waste.groups.push_back(name);
      waste.values.push_back({double(class_unused_bytes(k)), double(class_padding_bytes(k))});
    }
    out.push_back(svg::bar_chart(blocks));
    out.push_back(svg::bar_chart(waste));
  }

  if (!t.empty() && x.fa32) {
    svg::LineChart calls;
    calls.id = prefix + "large-fallback";
    calls.title = "Large-block and fallback allocations over time (running totals)";
    calls.y_quantity = "allocations";
    calls.y_unit = svg::Unit::count;
    calls.x = column(t, &TimelinePoint::events);
    calls.series = {{"large-path allocations", column(t, &TimelinePoint::large_allocs)},
                    {"fallback allocations", column(t, &TimelinePoint::fallback_allocs)}};
    out.push_back(svg::line_chart(calls));
    svg::LineChart bytes = calls;
    bytes.id = prefix + "large-fallback-bytes";
    bytes.title = "Live large and fallback blocks over time";
    bytes.y_quantity = "bytes";
    bytes.y_unit = svg::Unit::bytes;
    bytes.series = {{"large blocks", column(t, &TimelinePoint::large_bytes)},
                    {"fallback blocks", column(t, &TimelinePoint::fallback_bytes)}};
    out.push_back(svg::line_chart(bytes));
  }
  return out;
}

std::uint64_t class_unused_bytes(const ClassFigures& k) {
  return k.capacity_blocks > k.blocks_in_use_peak ? (k.capacity_blocks - k.blocks_in_use_peak) * k.block_size
                                                  : 0;
}

std::uint64_t class_padding_bytes(const ClassFigures& k) {
  if (!k.bytes_requested_peak || *k.bytes_requested_peak == 0) return 0;
  const std::uint64_t held = k.blocks_in_use_peak * k.block_size;
  return held > *k.bytes_requested_peak ? held - *k.bytes_requested_peak : 0;
}

}  // namespace fa32::app::report
