// SPDX-License-Identifier: GPL-3.0-or-later
#include <fmt/format.h>

#include "../report/csv.hpp"
#include "fa32/app/bench/bench_printers.hpp"

namespace fa32::app::bench {
namespace {

using report::csv_field;

template <class T>
std::string optional_text(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : "";
}

}  // namespace

void print_bench_csv(std::ostream& out, const BenchReport& report) {
  out << "workload,source,events,repetitions,live_peak_bytes,allocator,kind,status,median_ns_per_event,"
         "min_ns_per_event,max_ns_per_event,spread,noisy,ratio_to_glibc,ratio_to_fastest,peak_rss_bytes,"
         "replay_rss_bytes,footprint_peak_bytes,footprint_vs_live,runs_ns_per_event,message\n";
  for (const WorkloadResult& w : report.workloads) {
    for (const AllocatorRow& r : w.allocators) {
      std::string runs;
      for (double v : r.ns_per_event) {
        // Appended piecewise: GCC 12 at -O3 warns (-Wrestrict, a false
        // positive) on the const char* + std::string form.
        if (!runs.empty()) runs += ';';
        runs += fmt::format("{:.3f}", v);
      }
      // A failed row has no figures: empty fields, not 0 (the fastest).
      const bool ok = r.status == RunStatus::ok;
      const auto figure = [ok](auto v, const char* spec) {
        return ok ? fmt::format(fmt::runtime(spec), v) : std::string();
      };
      out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                         csv_field(w.name), w.source, w.events, w.repetitions, w.live_peak_bytes,
                         csv_field(r.name), r.kind, status_name(r.status), figure(r.summary.median, "{:.3f}"),
                         figure(r.summary.min, "{:.3f}"), figure(r.summary.max, "{:.3f}"),
                         figure(r.summary.spread, "{:.4f}"), r.summary.noisy ? "true" : "false",
                         optional_text(r.ratio_to_glibc), optional_text(r.ratio_to_fastest),
                         figure(r.peak_rss_bytes, "{}"), figure(r.replay_rss_bytes, "{}"),
                         optional_text(r.footprint_peak_bytes), optional_text(r.footprint_vs_live), runs,
                         csv_field(r.message));
    }
  }
}

}  // namespace fa32::app::bench
