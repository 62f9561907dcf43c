// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/measure.hpp"

#include <memory>
#include <stdexcept>

#include "fa32/app/bench/cpu_clock.hpp"
#include "fa32/app/bench/schedule.hpp"
#include "fa32/app/count_noun.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/report/report.hpp"

namespace fa32::app::tune {
namespace {

replay::ReplayOptions options_for(std::span<const replay::ReplayEvent> events, std::uint64_t id_bound,
                                  std::uint64_t memory_limit) {
  replay::ReplayOptions o;
  o.id_bound = id_bound;
  o.expected_events = events.size();
  o.memory_limit = memory_limit;
  o.leak_limit = 0;
  return o;
}

std::unique_ptr<replay::Allocator> make(const fastalloc32_config& config) {
  replay::Fa32Settings s;
  s.config = config;
  return replay::make_fastalloc32(s);
}

}  // namespace

std::optional<MemoryFigures> measure_memory(const fastalloc32_config& config,
                                            std::span<const replay::ReplayEvent> events,
                                            std::uint64_t id_bound, std::uint64_t memory_limit,
                                            std::string& problem) {
  std::unique_ptr<replay::Allocator> a;
  try {
    a = make(config);
  } catch (const std::runtime_error& e) {
    problem = e.what();
    return std::nullopt;
  }
  replay::ReplayOptions o = options_for(events, id_bound, memory_limit);
  // The memory figures are the allocator's own gauges: what the replayer
  // writes into the blocks changes none of them, only the time.
  o.touch = replay::Touch::none;
  replay::ReplayResult r = replay::replay(events, *a, o);
  if (r.error) {
    problem = "the replay stopped at event " + std::to_string(r.error->event) + ": " + r.error->message;
    return std::nullopt;
  }
  if (r.failed_allocs + r.failed_reallocs != 0) {
    problem = count_noun(r.failed_allocs + r.failed_reallocs, "allocation") + " failed";
    if (!r.first_refusal.empty()) problem += " (" + r.first_refusal + ")";
    return std::nullopt;
  }
  if (!r.fa32 || r.fa32->check != FASTALLOC32_OK) {
    problem = std::string("fastalloc32_check failed after the replay: ") +
              fastalloc32_status_string(r.fa32 ? r.fa32->check : FASTALLOC32_E_CORRUPT);
    return std::nullopt;
  }
  const report::Report rep = report::build_report("", "", *a, o, std::move(r));
  MemoryFigures f;
  f.footprint_vs_live = rep.overhead_peak_vs_peak ? *rep.overhead_peak_vs_peak + 1.0 : 1.0;
  f.internal_frag = rep.internal_frag_at_peak.value_or(0.0);
  f.fallback_rate = rep.fallback_rate.value_or(0.0);
  return f;
}

std::vector<bench::Summary> time_configs(const std::vector<fastalloc32_config>& configs,
                                         std::span<const replay::ReplayEvent> events, std::uint64_t id_bound,
                                         std::uint64_t memory_limit, int runs, std::uint64_t seed,
                                         const std::function<void()>& tick) {
  const std::size_t n = configs.size();
  std::vector<std::vector<double>> ns(n);
  replay::ReplayOptions o = options_for(events, id_bound, memory_limit);
  // As bench's timed replays: nothing on the clock but the loop.
  o.sample_peaks = false;
  for (const bench::Slot& slot : bench::interleaved_schedule(n, runs, 1)) {
    if (slot.probe) continue;  // measure_memory is tune's probe
    const std::size_t i = (slot.allocator + seed) % n;
    std::unique_ptr<replay::Allocator> a = make(configs[i]);
    std::uint64_t spent = 0;
    {
      replay::Replayer replayer(*a, o);
      const std::uint64_t c0 = bench::thread_cpu_ns();
      const bool ok = replayer.feed(events);
      spent = bench::thread_cpu_ns() - c0;
      if (!ok) throw std::runtime_error("a timed replay stopped: " + replayer.finish().error->message);
    }
    if (!slot.warmup && !events.empty()) ns[i].push_back(double(spent) / double(events.size()));
    if (tick) tick();
  }
  std::vector<bench::Summary> out;
  for (const auto& v : ns) out.push_back(bench::summarize(v));
  return out;
}

bool same_config(const fastalloc32_config& a, const fastalloc32_config& b) {
  if (a.class_count != b.class_count) return false;
  for (std::uint32_t i = 0; i < a.class_count; ++i) {
    if (a.block_sizes[i] != b.block_sizes[i]) return false;
  }
  return a.pool_size == b.pool_size && a.pool_limit == b.pool_limit && a.cache_capacity == b.cache_capacity &&
         a.alignment == b.alignment && a.large_cache_bytes == b.large_cache_bytes &&
         a.mmap_threshold == b.mmap_threshold && a.large_arena_size == b.large_arena_size &&
         a.secure_zero == b.secure_zero && a.track_peaks == b.track_peaks && a.trim_pools == b.trim_pools &&
         a.huge_pages == b.huge_pages;
}

}  // namespace fa32::app::tune
