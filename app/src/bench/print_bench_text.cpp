// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <array>
#include <vector>

#include "cells.hpp"
#include "fa32/app/bench/bench_printers.hpp"

namespace fa32::app::bench {
namespace {

constexpr std::size_t kColumns = 9;
using Line = std::array<std::string, kColumns>;

void print_table(std::ostream& out, const std::vector<Line>& lines) {
  std::array<std::size_t, kColumns> width{};
  for (const Line& l : lines) {
    for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], l[c].size());
  }
  for (const Line& l : lines) {
    std::string s = "  ";
    for (std::size_t c = 0; c < kColumns; ++c) {
      // Names left-aligned, figures right-aligned so digits line up.
      const std::size_t pad = width[c] - l[c].size();
      if (c == 0 || c == kColumns - 1) {
        s += l[c] + std::string(pad, ' ');
      } else {
        s += std::string(pad, ' ') + l[c];
      }
      if (c + 1 < kColumns) s += "  ";
    }
    s.erase(s.find_last_not_of(' ') + 1);
    out << s << '\n';
  }
}

}  // namespace

void print_bench_text(std::ostream& out, const BenchReport& report) {
  out << fmt::format(
      "fa32 bench: median ns/event ({}) of {} run{} per allocator (min-max), after {} warm-up round{}, "
      "interleaved; touch {} ({})\n",
      cells::clock(report), report.runs, report.runs == 1 ? "" : "s", report.warmup,
      report.warmup == 1 ? "" : "s", report.touch, cells::touch(report));
  for (const WorkloadResult& w : report.workloads) {
    out << '\n' << cells::workload_line(w) << '\n';
    std::vector<Line> lines{{"allocator", "ns/event", "min-max", "vs glibc", "vs fastest", "peak RSS",
                             "replay RSS", "footprint", ""}};
    for (const AllocatorRow& r : w.allocators) {
      std::string flags = r.fastest ? "fastest" : "";
      if (r.summary.noisy) flags += (flags.empty() ? "" : ", ") + cells::noise(r);
      if (r.status != RunStatus::ok) flags = r.message;
      lines.push_back({r.name, cells::ns(r), cells::range(r), cells::ratio(r.ratio_to_glibc),
                       cells::ratio(r.ratio_to_fastest), cells::bytes(r.peak_rss_bytes),
                       cells::bytes(r.replay_rss_bytes), cells::footprint(r), flags});
    }
    print_table(out, lines);
  }
  if (!report.notes.empty()) {
    out << "\nnotes:\n";
    for (const std::string& n : report.notes) out << "  " << n << '\n';
  }
}

}  // namespace fa32::app::bench
