// Table cells shared by the text and Markdown bench printers.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>

#include "fa32/app/bench/bench_report.hpp"
#include "fa32/app/report/printers.hpp"

namespace fa32::app::bench::cells {

inline std::string clock(const BenchReport& r) {
  return r.clock == "cpu" ? "CPU time of the replaying thread" : "wall time";
}
// How the replays wrote into the blocks, as a phrase.
inline std::string touch(const BenchReport& r) {
  if (r.touch == "all") return "every byte of every block written";
  if (r.touch == "none") return "blocks never written";
  return "one byte per page of each block's first MiB written, and the last byte of a larger block";
}
inline std::string ns(const AllocatorRow& r) {
  if (r.status != RunStatus::ok || r.summary.samples == 0) return status_name(r.status);
  return fmt::format("{:.2f}", r.summary.median);
}
inline std::string range(const AllocatorRow& r) {
  if (r.summary.samples == 0) return "";
  return fmt::format("{:.2f}-{:.2f}", r.summary.min, r.summary.max);
}
// The spread in whole percent, or with as many decimals as it takes to
// show it over the threshold: a spread of 10.4 % over --noise 0.1 is not
// "range 10% of median".
inline std::string noise(const AllocatorRow& r, double threshold) {
  if (!r.summary.noisy) return "";
  const double pct = r.summary.spread * 100;
  std::string text = fmt::format("{:.0f}", pct);
  for (int digits = 1; digits <= 6 && std::stod(text) <= threshold * 100; ++digits)
    text = fmt::format("{:.{}f}", pct, digits);
  return "noisy: range " + text + "% of median";
}
inline std::string ratio(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}x", *v) : "-";
}
inline std::string bytes(std::uint64_t b) {
  return b == 0 ? "-" : report::human_bytes(b);
}
inline std::string footprint(const AllocatorRow& r) {
  if (!r.footprint_peak_bytes) return "-";
  std::string s = report::human_bytes(*r.footprint_peak_bytes);
  if (r.footprint_vs_live) s += fmt::format(" ({:.2f}x live)", *r.footprint_vs_live);
  return s;
}
inline std::string workload_line(const WorkloadResult& w) {
  return fmt::format("{} ({}, {} events{}, live peak {})", w.name, w.source, w.events,
                     w.repetitions > 1 ? fmt::format(" x {} repetitions", w.repetitions) : "",
                     report::human_bytes(w.live_peak_bytes));
}

}  // namespace fa32::app::bench::cells
