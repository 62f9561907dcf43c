// Read and write throughput of each trace format, events/s and MB/s.
// usage: fa32_bench_trace_formats [EVENTS] [PROFILE] [DIR]
// Writes EVENTS generated events to DIR/bench.<ext> in each format (timing
// only the writer: the events are generated into memory first, in 1M-event
// slices), then reads each file back in 4096-event batches.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fa32/traces/generate.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/writer.hpp"

namespace {
using Clock = std::chrono::steady_clock;
using namespace fa32::traces;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  std::string profile = argc > 2 ? argv[2] : "small-churn";
  std::filesystem::path dir = argc > 3 ? argv[3] : std::filesystem::temp_directory_path();

  GenOptions g;
  g.profile = profile;
  g.events = events;
  g.seed = 42;
  constexpr std::size_t kSlice = 1 << 20;
  std::printf("%llu events, profile %s\n", static_cast<unsigned long long>(events), profile.c_str());
  std::printf("%-7s %12s %10s %10s %12s %10s %8s\n", "format", "write ev/s", "write MB/s", "bytes/ev",
              "read ev/s", "read MB/s", "checked");
  for (Format f : {Format::binary, Format::jsonl, Format::json}) {
    std::filesystem::path path = dir / (std::string("bench.") + std::string(format_name(f)));
    auto gen = make_generator(g);
    auto w = create_writer(path.string(), f, gen->header());
    std::vector<Event> slice(kSlice);
    double write_s = 0;
    while (std::size_t n = gen->read(slice)) {
      auto t0 = Clock::now();
      w->write(std::span<const Event>(slice.data(), n));
      write_s += seconds_since(t0);
    }
    auto t0 = Clock::now();
    w->finish();
    write_s += seconds_since(t0);
    double bytes = static_cast<double>(std::filesystem::file_size(path));

    std::vector<Event> batch(4096);
    std::uint64_t sum = 0, count = 0;
    t0 = Clock::now();
    auto r = open_trace(path.string());
    while (std::size_t n = r->read(batch)) {
      count += n;
      for (std::size_t i = 0; i < n; ++i) sum += batch[i].size;  // keep the decode observable
    }
    double read_s = seconds_since(t0);
    double ev = static_cast<double>(events);
    std::printf("%-7s %12.3g %10.1f %10.2f %12.3g %10.1f %8s\n", std::string(format_name(f)).c_str(),
                ev / write_s, bytes / write_s / 1e6, bytes / ev, ev / read_s, bytes / read_s / 1e6,
                count == events ? "ok" : "MISMATCH");
    std::filesystem::remove(path);
    if (sum == 1) std::printf("(unlikely)\n");
  }
  std::printf("peak RSS %ld KiB (includes the 1M-event write slice, %zu KiB)\n", max_rss_kib(),
              kSlice * sizeof(Event) / 1024);
  return 0;
}
