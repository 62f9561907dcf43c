// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/bench_report.hpp"

namespace fa32::app::bench {

const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::ok:
      return "ok";
    case RunStatus::failed:
      return "failed";
  }
  return "?";
}

void derive_figures(WorkloadResult& w, double noise_threshold) {
  const AllocatorRow* glibc = nullptr;
  const AllocatorRow* fastest = nullptr;
  for (AllocatorRow& row : w.allocators) {
    row.summary = summarize(row.ns_per_event, noise_threshold);
    row.fastest = false;
    row.ratio_to_glibc.reset();
    row.ratio_to_fastest.reset();
    if (row.footprint_peak_bytes && w.live_peak_bytes > 0) {
      row.footprint_vs_live = double(*row.footprint_peak_bytes) / double(w.live_peak_bytes);
    }
    if (row.status != RunStatus::ok || row.summary.samples == 0) continue;
    if (row.kind == "system" && glibc == nullptr) glibc = &row;
    if (fastest == nullptr || row.summary.median < fastest->summary.median) fastest = &row;
  }
  for (AllocatorRow& row : w.allocators) {
    if (row.status != RunStatus::ok || row.summary.samples == 0) continue;
    if (glibc != nullptr && glibc->summary.median > 0)
      row.ratio_to_glibc = row.summary.median / glibc->summary.median;
    if (fastest != nullptr && fastest->summary.median > 0) {
      row.ratio_to_fastest = row.summary.median / fastest->summary.median;
    }
    // With no time to compare (a trace of no events) nobody is fastest.
    row.fastest = &row == fastest && fastest->summary.median > 0;
  }
}

bool any_failed(const BenchReport& report) {
  for (const WorkloadResult& w : report.workloads) {
    for (const AllocatorRow& row : w.allocators) {
      if (row.status == RunStatus::failed) return true;
    }
  }
  return false;
}

void note_inexact_replay_rss(BenchReport& report) {
  for (const WorkloadResult& w : report.workloads) {
    for (const AllocatorRow& row : w.allocators) {
      if (row.status == RunStatus::failed || row.rss_exact || row.replay_rss_bytes == 0) continue;
      report.notes.push_back("replay RSS of " + row.name + " on " + w.name +
                             " is not exact: the worker could not reset its peak resident set after "
                             "loading the trace, so the figure counts the loading too");
    }
  }
}

}  // namespace fa32::app::bench
