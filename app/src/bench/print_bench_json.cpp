// SPDX-License-Identifier: GPL-3.0-or-later
#include <nlohmann/json.hpp>

#include "fa32/app/bench/bench_printers.hpp"
#include "fa32/app/report/json_text.hpp"

namespace fa32::app::bench {
namespace {

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json row_json(const AllocatorRow& r) {
  // A failed row has no figures: null, not 0, which a reader that skips
  // the status would take for the fastest and the smallest.
  const bool ok = r.status == RunStatus::ok;
  const auto figure = [ok](auto v) { return ok ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {
      {"name", r.name},
      {"kind", r.kind},
      {"description", r.description},
      {"status", status_name(r.status)},
      {"message", r.message},
      {"ns_per_event",
       {{"median", figure(r.summary.median)},
        {"min", figure(r.summary.min)},
        {"max", figure(r.summary.max)},
        {"spread", figure(r.summary.spread)},
        {"noisy", r.summary.noisy},
        {"runs", r.ns_per_event},
        {"wall_runs", r.wall_ns_per_event},
        // Both clocks whatever --clock ranks by: with --clock wall, runs
        // and wall_runs alike held wall times and the CPU times were lost.
        {"cpu_runs", r.cpu_ns_per_event}}},
      {"ratio_to_glibc", optional_json(r.ratio_to_glibc)},
      {"ratio_to_fastest", optional_json(r.ratio_to_fastest)},
      {"fastest", r.fastest},
      {"peak_rss_bytes", figure(r.peak_rss_bytes)},
      {"replay_rss_bytes", figure(r.replay_rss_bytes)},
      {"replay_rss_exact", r.rss_exact},
      {"footprint_peak_bytes", optional_json(r.footprint_peak_bytes)},
      {"footprint_vs_live", optional_json(r.footprint_vs_live)},
      {"verified", r.verified},
  };
}

}  // namespace

void print_bench_json(std::ostream& out, const BenchReport& report) {
  nlohmann::json workloads = nlohmann::json::array();
  for (const WorkloadResult& w : report.workloads) {
    nlohmann::json rows = nlohmann::json::array();
    for (const AllocatorRow& r : w.allocators) rows.push_back(row_json(r));
    workloads.push_back({{"name", w.name},
                         {"source", w.source},
                         {"events", w.events},
                         {"repetitions", w.repetitions},
                         {"live_peak_bytes", w.live_peak_bytes},
                         {"allocators", std::move(rows)}});
  }
  const nlohmann::json j{
      {"schema_version", bench_schema_version},
      {"command", "bench"},
      {"runs", report.runs},
      {"warmup", report.warmup},
      {"noise_threshold", report.noise_threshold},
      {"clock", report.clock},
      {"memory_limit",
       report.memory_limit == UINT64_MAX ? nlohmann::json(nullptr) : nlohmann::json(report.memory_limit)},
      {"touch", report.touch},
      {"workloads", std::move(workloads)},
      {"notes", report.notes},
  };
  out << report::json_text(j) << '\n';
}

}  // namespace fa32::app::bench
