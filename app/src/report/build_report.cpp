// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdio>
#include <string>
#include <utility>

#include "fa32/app/count_noun.hpp"
#include "fa32/app/replay/options.hpp"
#include "fa32/app/report/report.hpp"

namespace fa32::app::report {
namespace {

std::optional<double> ratio(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return std::nullopt;
  return double(num) / double(den);
}

// (reserved - requested) / reserved: the share of reserved bytes nobody asked for.
std::optional<double> internal_frag(std::uint64_t reserved, std::uint64_t requested) {
  if (reserved == 0) return std::nullopt;
  if (requested >= reserved) return 0.0;
  return double(reserved - requested) / double(reserved);
}

std::optional<double> overhead(std::uint64_t footprint, std::uint64_t live) {
  if (live == 0) return std::nullopt;
  return double(footprint) / double(live) - 1.0;
}

std::string ratio_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", r);
  return buf;
}

}  // namespace

bool Report::gates_passed() const {
  for (const Gate& g : gates) {
    if (!g.passed) return false;
  }
  return true;
}

Report build_report(std::string trace, std::string trace_format, const replay::Allocator& allocator,
                    const replay::ReplayOptions& options, replay::ReplayResult result) {
  Report r;
  r.trace = std::move(trace);
  r.trace_format = std::move(trace_format);
  r.allocator = allocator.name();
  r.allocator_config = allocator.describe();
  r.touch = std::string(replay::touch_name(options.touch));
  r.verify = options.verify;
  r.lenient = options.lenient;
  r.memory_limit = options.memory_limit;
  r.snapshot_every = options.snapshot_every;
  r.result = std::move(result);
  const replay::ReplayResult& x = r.result;

  if (x.fa32) {
    const fastalloc32_stats& s = x.fa32->stats;
    r.allocator_allocs = s.pool_allocs + s.large_allocs + s.fallback_allocs;
    r.pool_hit_rate = ratio(s.pool_allocs, r.allocator_allocs);
    r.fallback_rate = ratio(s.fallback_allocs, r.allocator_allocs);
    r.cache_reuse = ratio(s.cache_hits, s.pool_allocs);
    r.large_cache_reuse = ratio(s.large_cache_hits, s.large_allocs);
    for (std::uint32_t i = 0; i < x.fa32->class_count; ++i) {
      const fastalloc32_class_stats& c = x.fa32->classes[i];
      ClassFigures f;
      f.block_size = c.block_size;
      f.allocs = c.allocs;
      f.fallback_allocs = c.fallback_allocs;
      f.hit_rate = ratio(c.allocs, c.allocs + c.fallback_allocs);
      f.cache_hits = c.cache_hits;
      f.cache_reuse = ratio(c.cache_hits, c.allocs);
      f.freelist_hits = c.freelist_hits;
      f.fresh_blocks = c.fresh_blocks;
      f.frees = c.frees;
      f.capacity_blocks = c.capacity_blocks;
      f.blocks_in_use_peak = c.blocks_in_use.peak;
      f.blocks_in_use_end = c.blocks_in_use.current;
      f.occupancy_peak = ratio(c.blocks_in_use.peak, c.capacity_blocks);
      if (s.peaks_tracked != 0) f.bytes_requested_peak = c.bytes_requested.peak;
      f.touched_bytes = c.touched_bytes;
      r.classes.push_back(f);
    }
  }
  r.internal_frag_at_peak = internal_frag(x.at_peak_live.reserved, x.peak_live_bytes);
  // Undefined when nothing is live (report.md), whatever the allocator
  // still holds: glibc counts the freed chunks in its tcache as in use, so
  // a trace that freed everything read 1.0 (all reserved bytes wasted).
  if (x.live_allocs != 0) r.internal_frag_at_end = internal_frag(x.at_end.reserved, x.live_bytes);
  r.overhead_peak_vs_peak = overhead(x.footprint_peak, x.peak_live_bytes);
  r.overhead_at_peak_live = overhead(x.at_peak_live.footprint, x.peak_live_bytes);
  using traces::Op;
  const std::uint64_t alloc_events = x.op_counts[static_cast<int>(Op::malloc)] +
                                     x.op_counts[static_cast<int>(Op::calloc)] +
                                     x.op_counts[static_cast<int>(Op::aligned_alloc)];
  r.temporary_rate = ratio(x.temporary_allocs, alloc_events);
  return r;
}

void apply_gates(Report& r, const GateSpec& spec) {
  r.gates.clear();
  if (spec.fail_on_leak) {
    Gate g{"fail-on-leak", 0, double(r.result.leak_count), r.result.leak_count == 0, ""};
    if (!g.passed) {
      g.message = count_noun(r.result.leak_count, "allocation") + " (" +
                  count_noun(r.result.leak_bytes, "byte") + ") still live after the last event";
    }
    r.gates.push_back(g);
  }
  auto check = [&](const char* name, std::optional<double> threshold, std::optional<double> actual, bool min,
                   const char* what) {
    if (!threshold) return;
    Gate g{name, *threshold, actual, true, ""};
    if (!actual) {
      g.passed = false;
      g.message = std::string(what) + " is not defined for this replay (allocator " + r.allocator + ")";
    } else if (min ? *actual < *threshold : *actual > *threshold) {
      g.passed = false;
      g.message = std::string(what) + " " + ratio_text(*actual) + (min ? " is below " : " is above ") +
                  ratio_text(*threshold);
    }
    r.gates.push_back(g);
  };
  check("min-pool-hit-rate", spec.min_pool_hit_rate, r.pool_hit_rate, true, "pool hit rate");
  check("max-fallback-rate", spec.max_fallback_rate, r.fallback_rate, false, "fallback rate");
  check("max-overhead", spec.max_overhead, r.overhead_peak_vs_peak, false,
        "overhead (footprint peak / live peak - 1)");
}

}  // namespace fa32::app::report
