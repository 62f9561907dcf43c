// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_tune.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <span>

#include "fa32/app/cli.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/progress.hpp"
#include "fa32/app/report/json_text.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/app/tune/config_code.hpp"
#include "fa32/app/tune/print_tune.hpp"

namespace fa32::app {
namespace {

tune::Objective objective_from(const std::string& name) {
  if (name == "speed") return tune::Objective::speed;
  if (name == "memory") return tune::Objective::memory;
  if (name == "balanced") return tune::Objective::balanced;
  throw InputError("--objective: expected speed, memory or balanced, got '" + name + "'");
}

// A request of at least one byte: without one the live peak is 0, every
// candidate's footprint / live peak has no value, and each read as 1.000.
bool has_allocation(std::span<const replay::ReplayEvent> events) {
  for (const replay::ReplayEvent& e : events) {
    if (e.op() != traces::Op::free && e.size != 0) return true;
  }
  return false;
}

}  // namespace

Command setup_tune(CLI::App& app) {
  auto o = std::make_shared<TuneOptions>();
  CLI::App* sub = app.add_subcommand(
      "tune", "Find the fastalloc32 configuration that suits recorded traces best, and write it out");
  sub->add_option("traces", o->traces, "Trace files (JSON, JSON Lines or binary), e.g. from fa32 record")
      ->required();
  sub->add_option("--output,-o", o->output,
                  "Write the recommended configuration to FILE, as fa32 replay/stats --config and "
                  "fa32 bench -a NAME=fa32:config=FILE read it")
      ->type_name("FILE");
  sub->add_option(
         "--objective", o->objective,
         "What to optimise: speed (CPU ns per event, footprint at most 3 % worse), memory (footprint "
         "peak / live peak; not timed, so the answer is the same on every run) or balanced (their "
         "product, neither more than 3 % worse than the default)")
      ->check(CLI::IsMember({"speed", "memory", "balanced"}))
      ->capture_default_str();
  sub->add_option("--budget", o->budget,
                  "Seconds the search may take; it stops at the round that would not fit and reports the "
                  "best so far")
      ->type_name("SECONDS")
      ->capture_default_str();
  sub->add_option("--seed", o->seed,
                  "Rotates the order of the timed runs (memory figures do not depend on it)")
      ->transform(unsigned_number())
      ->type_name("S")
      ->capture_default_str();
  sub->add_option("--holdout", o->holdout,
                  "Share of each trace's events, at its end, kept out of the tuning and used to check the "
                  "choice, from 0 (none) to 0.9")
      ->type_name("F")
      ->capture_default_str();
  sub->add_option("--format", o->format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_memory_limit_option(*sub, o->memory_limit);
  sub->footer(
      "Candidates: the default and original presets, size classes fitted to the traces' request sizes\n"
      "(at most 16, weighted by peak live blocks or by requests), pool chunks and limits from the peak live\n"
      "blocks, cache sizes from the runs of frees, large-path settings from the large requests. Each is\n"
      "replayed and checked (fastalloc32_check, no failed allocation); a candidate may not fall back to the\n"
      "system malloc more than the default. Several traces: geometric means, and figures per trace.\n"
      "A change is recommended only when it makes one figure 5 % better and the other at most 3 % worse\n"
      "(a speed gain only from timings not flagged noisy); otherwise tune says the default is already\n"
      "the best. A progress bar shows on a terminal.\n"
      "Exit codes: 0 ok (also when the budget ran out: the best so far is reported); 2 bad input (an\n"
      "unreadable or invalid trace, named with its event; a trace with no allocation of a byte or\n"
      "more; a bad option).");
  return {sub, [o] { return run_tune(*o); }};
}

int run_tune(const TuneOptions& o) {
  // Elsewhere - is standard output; here it made a file named "-", and
  // standard output holds the report.
  if (o.output == "-")
    throw InputError("-o -: standard output holds the report; give -o a file name for the config");
  refuse_stdin_twice(o.traces);
  if (!o.output.empty()) refuse_output_over_input(o.output, o.traces);
  refuse_output_over_input("-", o.traces);  // the report goes to standard output
  // Before the search: a typo in -o would otherwise lose its whole result.
  if (!o.output.empty()) check_output_writable(o.output);
  const tune::Objective objective = objective_from(o.objective);
  if (!std::isfinite(o.holdout) || o.holdout < 0 || o.holdout > 0.9)
    throw InputError("--holdout: expected a share from 0 to 0.9, got " + std::to_string(o.holdout));
  if (!std::isfinite(o.budget) || o.budget <= 0)
    throw InputError("--budget: expected a positive number of seconds");
  if (o.format != "text" && o.format != "json") throw InputError("--format: expected text or json");

  std::vector<tune::TraceInput> inputs;
  tune::TuneReport report;
  for (const std::string& path : o.traces) {
    replay::LoadedTrace t = tune::load_checked(path);
    if (!has_allocation(t.events.span())) {
      throw InputError(t.source +
                       ": the trace has no allocations of a byte or more (malloc, calloc, realloc or "
                       "aligned_alloc): there is nothing to tune");
    }
    tune::SplitTrace split = tune::split_events(t.events.span(), o.holdout);
    // The choice is made on the tuning part alone: without an allocation
    // there every candidate measured 1.000 and the default was "the best".
    if (!has_allocation(split.tune.span())) {
      throw InputError(t.source + ": the tuning part (the first " + std::to_string(split.tune.size()) +
                       " of " + std::to_string(t.events.size()) +
                       " events) has no allocation of a byte or more: there is nothing to tune on; give a "
                       "smaller --holdout");
    }
    tune::TraceInput in;
    in.name = t.source;
    in.id_bound = t.max_id + 1;
    in.profile = tune::profile_events(split.tune.span());
    in.tune = std::move(split.tune);
    in.holdout = std::move(split.holdout);
    spdlog::debug("{}: {} events, {} to tune on, {} in the holdout", in.name, t.events.size(), in.tune.size(),
                  in.holdout.size());
    report.traces.push_back(in.name);
    inputs.push_back(std::move(in));
  }

  tune::TuneOptions to;
  to.objective = objective;
  to.budget_seconds = o.budget;
  to.seed = o.seed;
  to.memory_limit = resolve_memory_limit(o.memory_limit);
  Progress progress(0, "replays");
  to.progress = [&progress](std::uint64_t done, std::uint64_t total) {
    progress.set_total(total);
    progress(done);
  };
  report.objective = objective;
  report.holdout = o.holdout;
  report.budget_seconds = o.budget;
  report.result = tune::run_search(inputs, to);
  if (report.result.budget_exhausted) {
    for (const std::string& n : report.result.notes) {
      if (n.rfind("--budget", 0) == 0) spdlog::warn("{}", n);
    }
  }

  const fastalloc32_config& best = report.result.candidates[report.result.recommended].candidate.config;
  if (!o.output.empty()) {
    write_output_file(o.output, [&](std::ostream& out) {
      out << report::json_text(tune::write_config_json(best)) << "\n";
    });
  }
  if (o.format == "json") {
    std::cout << report::json_text(tune::tune_json(report)) << "\n";
  } else {
    tune::print_tune_text(std::cout, report);
  }
  std::cout.flush();
  return exit_ok;
}

}  // namespace fa32::app
