// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay_cli.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "fa32/app/cli.hpp"
#include "fa32/app/count_noun.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/progress.hpp"
#include "fa32/app/replay/config_keys.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/snapshots.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/report.hpp"
#include "fa32/app/same_file.hpp"

namespace fa32::app {
namespace {

std::unique_ptr<replay::Allocator> make_allocator(const ReplayCliOptions& o, const replay::Fa32Settings& s) {
  if (o.allocator == "system") return replay::make_system_allocator();
  try {
    return replay::make_fastalloc32(s);
  } catch (const std::runtime_error& e) {
    // A value from the --config file is named by the field it sets, not by
    // the file: say which file the settings came from, as its other errors do.
    if (o.fa32.config_file.empty()) throw InputError(e.what());
    throw InputError(o.fa32.config_file + " (--config, with any flags): " + e.what());
  }
}

bool color_wanted(const std::string& output) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return output == "-" && isatty(STDOUT_FILENO) == 1;
}

replay::ReplayResult replay_one(traces::TraceReader& reader, replay::Allocator& allocator,
                                const replay::ReplayOptions& ro, bool preload) {
  replay::ReplayOptions r = ro;
  if (preload) {
    replay::LoadedTrace t = replay::load_events(reader);
    r.id_bound = t.events.empty() ? 0 : t.max_id + 1;
    r.expected_events = t.events.size();
    Progress progress(t.events.size());
    r.progress = [&progress](std::uint64_t done) { progress(done); };
    return replay::replay(t.events.span(), allocator, r);
  }
  Progress progress(reader.header().event_count);
  r.progress = [&progress](std::uint64_t done) { progress(done); };
  return replay::replay_stream(reader, allocator, r);
}

}  // namespace

void add_replay_cli_options(CLI::App& sub, ReplayCliOptions& o, bool stats_defaults) {
  if (stats_defaults) o.format = "json";
  sub.add_option("traces", o.traces, "Trace files (JSON, JSON Lines or binary; - is standard input)")
      ->required();
  sub.add_option("--allocator", o.allocator, "Allocator to replay through")
      ->check(CLI::IsMember({"fastalloc32", "system"}))
      ->capture_default_str();
  replay::add_config_options(sub, o.fa32);
  sub.add_option("--touch", o.touch,
                 "Write into blocks as a program would: none; first: one byte in each 4 KiB page of the "
                 "first 256 (1 MiB), and past them the block's last byte; all: every byte")
      ->check(CLI::IsMember({"none", "first", "all"}))
      ->capture_default_str();
  add_memory_limit_option(sub, o.memory_limit);
  sub.add_flag("--verify", o.verify,
               "Fill each block with a pattern from its id; check it on free, after realloc and at exit "
               "(a corruption or overlap exits 1)");
  sub.add_flag("--lenient", o.lenient,
               "Skip and count invalid events instead of stopping (exit 2) at the first");
  sub.add_flag("--preload", o.preload,
               "Decode the whole trace into memory first, then replay (default: stream)");
  sub.add_option(
         "--snapshot-every", o.snapshot_every,
         "Record live bytes, footprint and occupancy every N events, and after the last. At most " +
             std::to_string(replay::max_snapshots) +
             " are kept: when a snapshot is due beyond them, every other one is dropped and N "
             "doubles, so memory stays bounded (the report gives the spacing kept). 0: none, as without it")
      ->transform(unsigned_number())
      ->type_name("N");
  sub.add_option("--leaks", o.leak_limit, "How many leaks to list (all are counted)")
      ->transform(unsigned_number())
      ->capture_default_str()
      ->type_name("N");
  sub.add_option("--format", o.format,
                 "Report format: text, json, csv, markdown, or html (one self-contained page with charts of "
                 "memory over time, sizes, lifetimes, size classes and leaks; best with --output)")
      ->check(CLI::IsMember({"text", "json", "csv", "markdown", "md", "html"}))
      ->capture_default_str();
  sub.add_option("--output,-o", o.output, "Write the report to FILE instead of standard output")
      ->type_name("FILE");
  sub.add_flag("--fail-on-leak", o.fail_on_leak,
               std::string("Exit 1 if allocations are live after the last event") +
                   (stats_defaults ? " (the default)" : ""));
  if (stats_defaults) sub.add_flag("--allow-leaks", o.allow_leaks, "Do not fail on leaks");
  sub.add_option("--min-pool-hit-rate", o.min_pool_hit_rate, "Exit 1 if the pool hit rate is below R (0..1)")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("R");
  sub.add_option("--max-fallback-rate", o.max_fallback_rate, "Exit 1 if the fallback rate is above R (0..1)")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("R");
  sub.add_option("--max-overhead", o.max_overhead,
                 "Exit 1 if footprint peak / live-bytes peak - 1 is above R (e.g. 0.5)")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1e6))
      ->type_name("R");
}

int run_replay_cli(const ReplayCliOptions& o, bool leak_gate_default) {
  // The --config file is read too: a report written over it would replace
  // the user's settings.
  std::vector<std::string> inputs = o.traces;
  if (!o.fa32.config_file.empty()) inputs.push_back(o.fa32.config_file);
  refuse_stdin_twice(inputs);
  refuse_output_over_input(o.output, inputs);
  // Before the replay: a typo in -o would otherwise cost the whole replay.
  if (o.output != "-") check_output_writable(o.output);
  if (o.fail_on_leak && o.allow_leaks)
    throw InputError("--fail-on-leak and --allow-leaks contradict each other");
  report::GateSpec gates;
  gates.fail_on_leak = o.fail_on_leak || (leak_gate_default && !o.allow_leaks);
  gates.min_pool_hit_rate = o.min_pool_hit_rate;
  gates.max_fallback_rate = o.max_fallback_rate;
  gates.max_overhead = o.max_overhead;
  const auto format = report::report_format_from_name(o.format);
  if (!format) throw InputError("--format: unknown format '" + o.format + "'");
  const auto touch = replay::touch_from_name(o.touch);
  if (!touch) throw InputError("--touch: expected none, first or all, got '" + o.touch + "'");
  if (o.allocator != "fastalloc32" && o.allocator != "system")
    throw InputError("--allocator: expected fastalloc32 or system, got '" + o.allocator + "'");
  if (const std::string key = replay::first_key_set(o.fa32); o.allocator == "system" && !key.empty())
    throw InputError("--" + key +
                     " configures fastalloc32, and --allocator system replays through the "
                     "process's malloc: give one");
  const replay::Fa32Settings settings = replay::make_fa32_settings(o.fa32, replay::profiling_preset);

  replay::ReplayOptions ro;
  ro.touch = *touch;
  ro.verify = o.verify;
  ro.lenient = o.lenient;
  ro.snapshot_every = o.snapshot_every;
  ro.leak_limit = o.leak_limit;
  ro.timeline_points = report::timeline_points;
  ro.memory_limit = resolve_memory_limit(o.memory_limit);
  spdlog::debug("memory limit: {}", describe_memory_limit(ro.memory_limit));

  std::vector<report::Report> reports;
  int code = exit_ok;
  for (const std::string& path : o.traces) {
    auto reader = traces::open_trace(path);
    auto allocator = make_allocator(o, settings);
    spdlog::debug("{}: {} trace, replaying through {} ({})", reader->source(),
                  traces::format_name(reader->format()), allocator->name(), allocator->describe());
    replay::ReplayResult result;
    try {
      result = replay_one(*reader, *allocator, ro, o.preload);
    } catch (const traces::TraceError& e) {
      // Reader errors name the source already; the engine's do not.
      std::string m = e.what();
      if (m.rfind(reader->source(), 0) != 0) m = reader->source() + ": " + m;
      throw InputError(m);
    }
    report::Report rep =
        report::build_report(reader->source(), std::string(traces::format_name(reader->format())), *allocator,
                             ro, std::move(result));
    report::apply_gates(rep, gates);
    const auto& x = rep.result;
    spdlog::debug("{}: {} events in {:.3f} s ({:.0f} events/s)", rep.trace, x.events,
                  double(x.replay_ns) / 1e9, x.events_per_second());
    if (x.error) {
      if (x.error->kind == replay::ErrorKind::invalid_event) {
        spdlog::error("{}: invalid trace: {}", rep.trace, x.error->message);
        code = exit_bad_input;
      } else {
        spdlog::error("{}: --verify: {}", rep.trace, x.error->message);
        if (code == exit_ok) code = exit_check_failed;
      }
    } else if (x.invalid.total() != 0) {
      spdlog::warn("{}: skipped {} invalid events (--lenient)", rep.trace, x.invalid.total());
    }
    if (x.refused_by_limit != 0) {
      // One warning per trace, naming the first request refused.
      spdlog::warn("{}: {}{} (--memory-limit)", rep.trace, x.first_refusal,
                   x.refused_by_limit == 1
                       ? std::string()
                       : "; " + count_noun(x.refused_by_limit - 1, "more request") + " refused");
    }
    // The allocator's own NULLs (out of memory under a ulimit or on a full
    // machine, or a request no allocator can meet with the limit lifted)
    // were only a count in the report: a replay that lost a million
    // allocations exited 0 without a word. The recorded program got every
    // one of them (importers drop the ones that failed there).
    const std::uint64_t by_allocator = x.failed_allocs + x.failed_reallocs - x.refused_by_limit;
    if (by_allocator != 0) {
      spdlog::warn(
          "{}: the allocator returned NULL for {} the memory limit let through: out of memory, or "
          "requests no allocator meets; the figures are of a replay without them (failed.allocs, "
          "realloc.failed)",
          rep.trace, count_noun(by_allocator, "request"));
    }
    for (const report::Gate& g : rep.gates) {
      if (!g.passed) {
        spdlog::error("{}: gate {} failed: {}", rep.trace, g.name, g.message);
        if (code == exit_ok) code = exit_check_failed;
      }
    }
    reports.push_back(std::move(rep));
  }

  report::PrintOptions po;
  po.color = *format == report::ReportFormat::text && color_wanted(o.output);
  if (o.output == "-") {
    report::print_reports(std::cout, reports, *format, po);
    std::cout.flush();
  } else {
    write_output_file(o.output, [&](std::ostream& out) { report::print_reports(out, reports, *format, po); });
  }
  return code;
}

}  // namespace fa32::app
