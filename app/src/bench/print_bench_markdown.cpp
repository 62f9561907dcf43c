// SPDX-License-Identifier: GPL-3.0-or-later
#include "../report/markdown.hpp"
#include "cells.hpp"
#include "fa32/app/bench/bench_printers.hpp"

namespace fa32::app::bench {
namespace {

// Markdown table cells cannot hold a '|' or a line break (workload names
// come from trace paths, messages from workers).
std::string md(const std::string& s) {
  return report::markdown_cell(s);
}

}  // namespace

void print_bench_markdown(std::ostream& out, const BenchReport& report) {
  // First the overview a reader wants: one row per workload, one column per
  // allocator (the allocators of the first workload; the suite uses the same
  // set everywhere).
  if (!report.workloads.empty()) {
    const auto& first = report.workloads.front().allocators;
    out << "Median ns per event (" << cells::clock(report) << "; lower is better), " << report.runs
        << " runs each, interleaved, touch " << report.touch << " (" << cells::touch(report) << "); "
        << "**bold** is the fastest.\n\n| workload |";
    for (const AllocatorRow& r : first) out << ' ' << md(r.name) << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < first.size(); ++i) out << "---:|";
    out << '\n';
    for (const WorkloadResult& w : report.workloads) {
      out << "| " << md(w.name) << " |";
      for (const AllocatorRow& r : w.allocators) {
        std::string cell = cells::ns(r);
        if (r.fastest) cell = "**" + cell + "**";
        if (r.summary.noisy) cell += " (noisy)";
        out << ' ' << cell << " |";
      }
      out << '\n';
    }
  }
  for (const WorkloadResult& w : report.workloads) {
    out << "\n### " << md(cells::workload_line(w)) << "\n\n"
        << "| allocator | ns/event | min-max | vs glibc | vs fastest | peak RSS | replay RSS | footprint | "
           "notes |\n"
        << "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const AllocatorRow& r : w.allocators) {
      std::string notes = r.status != RunStatus::ok ? r.message : cells::noise(r, report.noise_threshold);
      out << "| " << md(r.name) << " | " << cells::ns(r) << " | " << cells::range(r) << " | "
          << cells::ratio(r.ratio_to_glibc) << " | " << cells::ratio(r.ratio_to_fastest) << " | "
          << cells::bytes(r.peak_rss_bytes) << " | " << cells::bytes(r.replay_rss_bytes) << " | "
          << md(cells::footprint(r)) << " | " << md(notes) << " |\n";
    }
  }
  if (!report.notes.empty()) {
    out << "\nNotes:\n\n";
    for (const std::string& n : report.notes) out << "- " << md(n) << '\n';
  }
}

}  // namespace fa32::app::bench
