// SPDX-License-Identifier: GPL-3.0-or-later
#include <vector>

#include "../report/text_table.hpp"
#include "cells.hpp"
#include "fa32/app/bench/bench_printers.hpp"
#include "fa32/app/count_noun.hpp"
#include "fa32/traces/printable.hpp"

namespace fa32::app::bench {
namespace {

// Names left-aligned, figures right-aligned so digits line up.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& lines) {
  report::TableLayout layout;
  layout.left_columns = {0, 8};
  layout.trim = true;
  report::print_table(out, lines, layout);
}

}  // namespace

void print_bench_text(std::ostream& out, const BenchReport& report) {
  out << fmt::format(
      "fa32 bench: median ns/event ({}) of {} per allocator (min-max), {}, "
      "interleaved; touch {} ({})\n",
      cells::clock(report), count_noun(report.runs, "run"),
      // With --warmup 0 a round of single replays still ran first, to fix
      // the repetitions (kept as the first run when it lasted --min-time).
      report.warmup == 0 ? "no warm-up round (a first round of single replays fixed the repetitions)"
                         : "after " + count_noun(report.warmup, "warm-up round"),
      report.touch, cells::touch(report));
  for (const WorkloadResult& w : report.workloads) {
    out << '\n' << traces::printable(cells::workload_line(w)) << '\n';
    std::vector<std::vector<std::string>> lines{{"allocator", "ns/event", "min-max", "vs glibc", "vs fastest",
                                                 "peak RSS", "replay RSS", "footprint", ""}};
    for (const AllocatorRow& r : w.allocators) {
      std::string flags = r.fastest ? "fastest" : "";
      if (r.summary.noisy) flags += (flags.empty() ? "" : ", ") + cells::noise(r, report.noise_threshold);
      if (r.status != RunStatus::ok) flags = traces::printable(r.message);
      lines.push_back({traces::printable(r.name), cells::ns(r), cells::range(r),
                       cells::ratio(r.ratio_to_glibc), cells::ratio(r.ratio_to_fastest),
                       cells::bytes(r.peak_rss_bytes), cells::bytes(r.replay_rss_bytes), cells::footprint(r),
                       flags});
    }
    print_table(out, lines);
  }
  if (!report.notes.empty()) {
    out << "\nnotes:\n";
    for (const std::string& n : report.notes) out << "  " << traces::printable(n) << '\n';
  }
}

}  // namespace fa32::app::bench
