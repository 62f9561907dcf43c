// SPDX-License-Identifier: GPL-3.0-or-later
// Allocator micro-benchmarks: each workload's pre-generated event stream
// replayed through fastalloc32 (a tuned config without and with the peak
// statistics, and the defaults) and through
// the process's malloc. Items processed = events, so items_per_second gives
// ns per event; bench/run-allocators.sh tabulates the ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "allocators.hpp"
#include "event_stream.hpp"

namespace fa32::bench {
namespace {

// Every block is written at both ends, as a program would, so allocators that
// hand out untouched pages pay for the page faults they cause.
template <typename A>
bool replay(A& a, const Stream& s, std::vector<void*>& slots) {
  void** table = slots.data();
  for (const Event& e : s.events) {
    switch (e.op) {
      case Op::Malloc: {
        auto* p = static_cast<unsigned char*>(a.malloc(e.size));
        if (p == nullptr) return false;
        p[0] = 1;
        p[e.size - 1] = 2;
        table[e.slot] = p;
        break;
      }
      case Op::Realloc: {
        auto* p = static_cast<unsigned char*>(a.realloc(table[e.slot], e.size));
        if (p == nullptr) return false;
        p[e.size - 1] = 3;
        table[e.slot] = p;
        break;
      }
      case Op::Free:
        a.free(table[e.slot]);
        break;
    }
  }
  benchmark::DoNotOptimize(table);
  return true;
}

template <typename A>
void run(benchmark::State& state, A& a, const Stream& s) {
  std::vector<void*> slots(s.slots, nullptr);
  if (!replay(a, s, slots)) {  // warm-up pass, not timed
    state.SkipWithError("allocation failed");
    return;
  }
  for (auto _ : state) {
    if (!replay(a, s, slots)) {
      state.SkipWithError("allocation failed");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(s.events.size()));
  state.counters["events"] = static_cast<double>(s.events.size());
}

void bench_system(benchmark::State& state, const Stream* s) {
  SystemMalloc a;
  run(state, a, *s);
}

void bench_fa32(benchmark::State& state, const Stream* s, fa32::Config (*config)()) {
  Fastalloc32 a(config());
  const fa32::Stats before = a.allocator.stats();
  run(state, a, *s);
  // Where requests went, per event: shows fallbacks and system calls.
  const fa32::Stats after = a.allocator.stats();
  const double events = static_cast<double>(s->events.size()) * static_cast<double>(state.iterations() + 1);
  state.counters["pool_per_ev"] = static_cast<double>(after.pool_allocs - before.pool_allocs) / events;
  state.counters["large_per_ev"] = static_cast<double>(after.large_allocs - before.large_allocs) / events;
  state.counters["fallback_per_ev"] =
      static_cast<double>(after.fallback_allocs - before.fallback_allocs) / events;
  state.counters["syscalls_per_ev"] =
      static_cast<double>((after.sys_mallocs + after.sys_maps + after.sys_remaps + after.sys_unmaps) -
                          (before.sys_mallocs + before.sys_maps + before.sys_remaps + before.sys_unmaps)) /
      events;
  if (after.live_allocs.current != 0) state.SkipWithError("blocks left live after the stream");
}

const std::vector<Stream>& streams() {
  static const std::vector<Stream> all = [] {
    std::vector<Stream> v;
    v.push_back(small_churn_lifo());
    v.push_back(small_churn_random());
    v.push_back(lua_like());
    v.push_back(crypto_vm());
    v.push_back(mixed_sizes());
    v.push_back(large_blocks());
    v.push_back(realloc_growth());
    return v;
  }();
  return all;
}

}  // namespace
}  // namespace fa32::bench

int main(int argc, char** argv) {
  using namespace fa32::bench;
  for (const Stream& s : streams()) {
    benchmark::RegisterBenchmark((s.name + "/system").c_str(), bench_system, &s);
    benchmark::RegisterBenchmark((s.name + "/fa32").c_str(), bench_fa32, &s, tuned_config);
    benchmark::RegisterBenchmark((s.name + "/fa32_peaks").c_str(), bench_fa32, &s, tuned_config_with_peaks);
    benchmark::RegisterBenchmark((s.name + "/fa32_default").c_str(), bench_fa32, &s, fa32::default_config);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
