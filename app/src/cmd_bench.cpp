// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_bench.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/bench/bench_printers.hpp"
#include "fa32/app/bench/child_process.hpp"
#include "fa32/app/bench/fa32_spec.hpp"
#include "fa32/app/bench/runner.hpp"
#include "fa32/app/bench/suite.hpp"
#include "fa32/app/bench/workload_file.hpp"
#include "fa32/app/cli.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/replay/options.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/traces/generate.hpp"
#include "fa32/traces/printable.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::app {
namespace {

constexpr const char* kDescription =
    R"(Replays the same traces through fastalloc32 and the allocators a Debian user
can install -- glibc malloc, jemalloc (libjemalloc2), mimalloc (libmimalloc2.0),
tcmalloc (libtcmalloc-minimal4) -- and says which is fastest and by how much.

Every run is its own process: fastalloc32 in-process, the others by LD_PRELOAD
of their shared library in that process only. Each trace is decoded into
memory before the clock starts, so only the replay loop (the allocator and
the replayer's id table) is timed: by default the CPU time of the replaying
thread, which a busy machine does not inflate (--clock wall for wall time;
the JSON has both). Each replay writes into the blocks it gets as --touch
says (default first: one byte per 4 KiB page of a block's first MiB, and the
last byte of a larger one; all: every byte, so what a layout costs in cache misses shows). A first,
untimed probe run of each allocator measures its footprint and checks the replay (and
fastalloc32_check); no timed run shares a process with it, so every allocator's first
timed replay starts on a fresh heap, as a program does, and later repetitions of a
short trace reuse that heap alike. After a warm-up round, the runs of all allocators
are interleaved, the order rotating each round (A B C, B C A, C A B, ...), so drift on a
shared machine hits all alike and no allocator keeps one place in the order.
Reported: the median ns/event with min-max (flagged noisy when max-min exceeds
--noise of the median), the ratio to glibc and to the fastest, peak RSS and
replay RSS (how far the replays raised the worker's resident set: the largest
over the runs, with a note where the kernel could not make it exact), and
allocator footprint against live bytes where known (fastalloc32's own gauge,
glibc's mallinfo2). Allocators that are not installed are skipped with a note.)";

constexpr const char* kFooter =
    R"(Allocator specs (-a, repeatable; default: fa32 glibc jemalloc mimalloc tcmalloc):
  fa32                      fastalloc32 with the library's default config, as fastalloc32_create()
                            gives it (64 size classes 16 B-16 KiB, growing pools, peaks off)
  fa32:KEY=V:KEY=V          the same default with changes: preset=default|profiling|compact|original
                            classes=16,32,64 block-size=N pool-size=SIZE pool-limit=SIZE grow cache=N
                            align=N large-cache=SIZE large-arena=SIZE mmap-threshold=SIZE secure-zero
                            peaks no-peaks trim-pools no-huge-pages config=FILE: the keys and names
                            of fa32 replay's flags
  NAME=fa32:...             the same, shown as NAME
  glibc                     the system malloc
  jemalloc|mimalloc|tcmalloc  the Debian package's library, by LD_PRELOAD
  NAME=/path/lib.so         any other malloc replacement, by LD_PRELOAD

Example:
  fa32 bench --suite --format markdown
  fa32 bench trace.fa32 --fa32 small=classes=16,32,64,128 -a glibc -a jemalloc --runs 7

Memory: each worker's replay may hold at most --memory-limit requested bytes
live (default: half the physical memory); a request beyond it fails the run
with a note. The bench also watches each worker's resident memory and kills
it, with a note, once it passes the limit plus half as much again, 16 bytes
per event and 512 MiB.

In a build with AddressSanitizer, preloaded allocators are skipped (ASan's
malloc cannot be replaced); fastalloc32 and glibc still run.

Exit codes: 0 every run finished, 1 a run crashed, timed out or failed a check
(the others are still reported), 2 bad input or usage.)";

void add_workloads(const BenchOptions& o, std::vector<bench::MemTrace>& files,
                   std::vector<bench::Workload>& out) {
  for (const std::string& path : o.traces) {
    std::unique_ptr<traces::TraceReader> reader = traces::open_trace(path);
    files.push_back(bench::MemTrace::copy_of(*reader, path));
    out.push_back(
        {path, "trace", files.back().path(), files.back().events(), files.back().live_peak_bytes()});
  }
  if (o.suite) {
    for (const bench::SuiteEntry& e : bench::suite_entries(o.suite_scale)) {
      traces::GenOptions g;
      g.profile = e.profile;
      g.events = e.events;
      g.seed = e.seed;
      std::unique_ptr<traces::TraceReader> gen = traces::make_generator(g);
      files.push_back(bench::MemTrace::copy_of(*gen, e.label));
      out.push_back({e.label, "suite:" + e.profile, files.back().path(), files.back().events(),
                     files.back().live_peak_bytes()});
    }
  }
}

std::vector<bench::AllocatorSpec> chosen_allocators(const BenchOptions& o) {
  std::vector<bench::AllocatorSpec> specs;
  if (o.allocators.empty()) {
    specs = bench::default_allocators();
  } else {
    for (const std::string& a : o.allocators) specs.push_back(bench::parse_allocator_spec(a));
  }
  for (const std::string& f : o.fa32) specs.push_back(bench::parse_fa32_option(f));
  for (const std::string& p : o.preloads) specs.push_back(bench::parse_preload_option(p));
  return specs;
}

}  // namespace

Command setup_bench(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Compare fastalloc32 with glibc, jemalloc, mimalloc and tcmalloc on traces");
  // The long description goes below the options: the one line above is what
  // `fa32 --help` lists.
  sub->footer(std::string(kDescription) + "\n\n" + kFooter);
  sub->add_option("traces", opts->traces, "Traces to replay (any format; - is standard input)");
  sub->add_flag("--suite", opts->suite,
                "Also run the shipped set: the generator's small-churn, lua-like, crypto-vm, realloc-growth, "
                "fragmentation and large-mix profiles (about a minute)");
  sub->add_option("--suite-scale", opts->suite_scale, "Multiply the suite's trace sizes by this")
      ->check(finite_number())
      ->check(CLI::Range(0.0001, 1000.0))
      ->capture_default_str();
  // One value per occurrence (allow_extra_args(false)): a vector option
  // would otherwise take the traces after it, as in `-a glibc trace.fa32`;
  // option_text drops the " ..." CLI11 prints after a vector's type.
  sub->add_option("-a,--allocator", opts->allocators, "Allocator to compare (repeatable; see below)")
      ->allow_extra_args(false)
      ->option_text("SPEC");
  sub->add_option("--fa32", opts->fa32, "Add a named fastalloc32 configuration, NAME=CONFIG (repeatable)")
      ->allow_extra_args(false)
      ->option_text("NAME=CONFIG");
  sub->add_option("--preload", opts->preloads,
                  "Add a malloc replacement by LD_PRELOAD, NAME=PATH (repeatable)")
      ->allow_extra_args(false)
      ->option_text("NAME=PATH");
  sub->add_option("-n,--runs", opts->runs, "Measured runs of each allocator")
      ->transform(unsigned_number())
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sub->add_option(
         "--warmup", opts->warmup,
         "Warm-up rounds before the measured runs (not reported); they also set how many repetitions "
         "--min-time needs. With 0, a first round of single replays sets them, and counts as the "
         "first measured round when one replay is long enough")
      ->transform(unsigned_number())
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  sub->add_option("--min-time", opts->min_time_ms,
                  "Replay a short trace several times per run (at most " +
                      std::to_string(bench::RunnerOptions{}.max_repetitions) +
                      ") so a run lasts at least this many ms")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  sub->add_option("--timeout", opts->timeout_s, "Kill a worker run after this many seconds")
      ->check(finite_number())
      ->check(CLI::Range(0.1, 1e6))
      ->capture_default_str();
  add_memory_limit_option(*sub, opts->memory_limit);
  sub->add_option("--noise", opts->noise, "Flag a result as noisy when (max-min)/median exceeds this")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  sub->add_option("--clock", opts->clock,
                  "Rank by the replaying thread's CPU time (cpu: steady on a busy machine) or by wall time")
      ->check(CLI::IsMember({"cpu", "wall"}))
      ->capture_default_str();
  sub->add_option(
         "--touch", opts->touch,
         "How the replay writes into each block it gets, as a program would: first (one byte per 4 KiB "
         "page of its first MiB, and the last byte of a larger one), all (every byte: cache and layout "
         "effects show) or none")
      ->check(CLI::IsMember({"none", "first", "all"}))
      ->capture_default_str();
  sub->add_option("-f,--format", opts->format,
                  "Output format: text, json, markdown, csv, or html (one self-contained page: ns/event per "
                  "allocator and workload with min-max whiskers, footprint and peak RSS bars)")
      ->check(CLI::IsMember({"text", "json", "markdown", "csv", "html"}))
      ->capture_default_str();
  sub->add_option("-o,--output", opts->output, "Write the report to FILE instead of standard output")
      ->type_name("FILE");
  return {sub, [opts] { return run_bench(*opts); }};
}

std::chrono::nanoseconds min_run_time_from_ms(double ms) {
  // --min-time's checks keep ms finite and in 0..1e7, well inside the range.
  return std::chrono::nanoseconds(std::llround(ms * 1e6));
}

int run_bench(const BenchOptions& o) {
  if (o.traces.empty() && !o.suite) throw InputError("bench: give one or more traces, or --suite");
  // Only the suite's traces are scaled: without --suite it changed nothing.
  if (!o.suite && o.suite_scale != 1.0)
    throw InputError("bench: --suite-scale scales --suite, which is not given");
  const auto format = report::report_format_from_name(o.format);
  if (!format) throw InputError("bench: unknown --format '" + o.format + "'");

  bench::BenchReport report;
  report.runs = o.runs;
  report.warmup = o.warmup;
  report.noise_threshold = o.noise;
  report.clock = o.clock;
  const std::uint64_t memory_limit = resolve_memory_limit(o.memory_limit);
  report.memory_limit = memory_limit;
  report.notes.push_back("memory limit per worker: " + describe_memory_limit(memory_limit) +
                         (memory_limit == no_memory_limit
                              ? ""
                              : "; a worker is killed once its resident memory passes the limit + 50 %, 16 B "
                                "per event and 512 MiB"));
  const auto touch = replay::touch_from_name(o.touch);
  if (!touch) throw InputError("bench: --touch: expected none, first or all, got '" + o.touch + "'");
  report.touch = std::string(replay::touch_name(*touch));
  std::vector<bench::AllocatorSpec> allocators =
      bench::resolve_allocators(chosen_allocators(o), report.notes);
  for (const std::string& n : report.notes) spdlog::info("{}", n);
  if (allocators.empty()) throw InputError("bench: no allocator left to compare");

  // Check the output first: a typo in -o should not cost a minute of
  // benchmarking. It is opened (and an old report replaced) only once the
  // report is ready, so a bench that fails leaves the old one whole.
  const bool to_file = !o.output.empty() && o.output != "-";
  // A fastalloc32 spec's config=FILE is read too (by every worker).
  std::vector<std::string> inputs = o.traces;
  for (const bench::AllocatorSpec& a : allocators) {
    if (a.kind != bench::AllocatorKind::fastalloc32) continue;
    const std::string config_file = bench::parse_fa32_spec(a.config).config_file;
    if (!config_file.empty()) inputs.push_back(config_file);
  }
  refuse_stdin_twice(inputs);
  refuse_output_over_input(to_file ? o.output : "-", inputs);
  if (to_file) check_output_writable(o.output);

  std::vector<bench::MemTrace> files;
  std::vector<bench::Workload> workloads;
  add_workloads(o, files, workloads);

  bench::RunnerOptions ro;
  ro.runs = o.runs;
  ro.warmup = o.warmup;
  ro.min_run_time = min_run_time_from_ms(o.min_time_ms);
  ro.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
  ro.noise_threshold = o.noise;
  ro.cpu_clock = o.clock == "cpu";
  ro.memory_limit = memory_limit;
  ro.touch = *touch;
  ro.program = bench::self_executable();
  // -q is "only errors on stderr": no progress line either, as Progress does.
  const bool tty = isatty(STDERR_FILENO) != 0 && spdlog::should_log(spdlog::level::info);
  std::size_t done = 0;
  // With --warmup 0 the calibration round is a step too: counting warm-up
  // rounds alone, the count passed its total (10/8).
  const std::size_t per_workload = bench::progress_steps(allocators.size(), ro);
  ro.progress = [&](const std::string& w, const std::string& a, int) {
    ++done;
    // The names as the report prints them: a trace named "x\e[31m.json"
    // recoloured the terminal through this line.
    if (tty)
      std::cerr << "\rfa32 bench: " << traces::printable(w) << ": " << traces::printable(a) << " (" << done
                << "/" << per_workload << ")\x1b[K" << std::flush;
  };
  for (const bench::Workload& w : workloads) {
    done = 0;
    spdlog::debug("bench: {} ({} events)", w.name, w.events);
    report.workloads.push_back(bench::run_workload(w, allocators, ro));
    // --min-time promises a run that long; a tiny trace cannot have it
    // without more replays than the cap, which used to pass unsaid.
    if (report.workloads.back().repetitions_capped)
      report.notes.push_back(
          w.name + ": a run replays a trace at most " + std::to_string(ro.max_repetitions) +
          " times, so its runs lasted less than --min-time (" + fmt::format("{:g}", o.min_time_ms) + " ms)");
  }
  if (tty) std::cerr << "\r\x1b[K" << std::flush;
  bench::note_inexact_replay_rss(report);

  if (to_file) {
    write_output_file(o.output, [&](std::ostream& out) { bench::print_bench(out, report, *format); });
  } else {
    bench::print_bench(std::cout, report, *format);
  }
  return bench::any_failed(report) ? exit_check_failed : exit_ok;
}

}  // namespace fa32::app
