// Read and write throughput of each trace format, events/s and MB/s.
// usage: fa32_bench_trace_formats [EVENTS] [PROFILE] [DIR]
// Writes EVENTS generated events to DIR/bench.<ext> in each format (timing
// only the writer: the events are generated into memory first, in 1M-event
// slices), then reads each file back in 4096-event batches.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/resource.h>
#include <time.h>

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

// CPU time of this process: on a shared machine, wall time also counts the
// time other processes held the core.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Stopwatch {
  Clock::time_point wall = Clock::now();
  double cpu = cpu_now();
};

struct Elapsed {
  double wall = 0;
  double cpu = 0;
  void add(const Stopwatch& s) {
    wall += std::chrono::duration<double>(Clock::now() - s.wall).count();
    cpu += cpu_now() - s.cpu;
  }
};

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
  std::printf("rates per CPU second (per wall second in brackets)\n");
  std::printf("%-7s %9s %22s %22s %22s %22s %8s\n", "format", "bytes/ev", "write Mev/s", "write MB/s",
              "read Mev/s", "read MB/s", "checked");
  for (Format f : {Format::binary, Format::jsonl, Format::json}) {
    std::filesystem::path path = dir / (std::string("bench.") + std::string(format_name(f)));
    auto gen = make_generator(g);
    auto w = create_writer(path.string(), f, gen->header());
    std::vector<Event> slice(kSlice);
    Elapsed write_t;
    while (std::size_t n = gen->read(slice)) {
      Stopwatch sw;
      w->write(std::span<const Event>(slice.data(), n));
      write_t.add(sw);
    }
    Stopwatch fin;
    w->finish();
    write_t.add(fin);
    double bytes = static_cast<double>(std::filesystem::file_size(path));

    std::vector<Event> batch(4096);
    std::uint64_t sum = 0, count = 0;
    Stopwatch rsw;
    auto r = open_trace(path.string());
    while (std::size_t n = r->read(batch)) {
      count += n;
      for (std::size_t i = 0; i < n; ++i) sum += batch[i].size;  // keep the decode observable
    }
    Elapsed read_t;
    read_t.add(rsw);
    double ev = static_cast<double>(events);
    auto rate = [](double amount, double secs) { return amount / secs / 1e6; };
    char cells[4][64];
    std::snprintf(cells[0], sizeof cells[0], "%.1f (%.1f)", rate(ev, write_t.cpu), rate(ev, write_t.wall));
    std::snprintf(cells[1], sizeof cells[1], "%.1f (%.1f)", rate(bytes, write_t.cpu),
                  rate(bytes, write_t.wall));
    std::snprintf(cells[2], sizeof cells[2], "%.1f (%.1f)", rate(ev, read_t.cpu), rate(ev, read_t.wall));
    std::snprintf(cells[3], sizeof cells[3], "%.1f (%.1f)", rate(bytes, read_t.cpu),
                  rate(bytes, read_t.wall));
    std::printf("%-7s %9.2f %22s %22s %22s %22s %8s\n", std::string(format_name(f)).c_str(), bytes / ev,
                cells[0], cells[1], cells[2], cells[3], count == events ? "ok" : "MISMATCH");
    std::filesystem::remove(path);
    if (sum == 1) std::printf("(unlikely)\n");
  }
  std::printf("peak RSS %ld KiB (includes the 1M-event write slice, %zu KiB)\n", max_rss_kib(),
              kSlice * sizeof(Event) / 1024);
  return 0;
}
