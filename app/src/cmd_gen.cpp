// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_gen.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/remove_on_signal.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/app/trace_output.hpp"
#include "fa32/traces/validate.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app {

Command setup_gen(CLI::App& app) {
  auto opt = std::make_shared<GenCmdOptions>();
  CLI::App* sub =
      app.add_subcommand("gen", "Generate a deterministic synthetic trace from a workload profile");
  sub->add_option("PROFILE", opt->gen.profile, "Workload profile (see --list)")->capture_default_str();
  sub->add_flag("--list", opt->list, "Describe the profiles and exit");
  sub->add_option("-n,--events", opt->gen.events,
                  "Number of events (at least 1; 1 only with --leaks 1 or --no-free)")
      ->transform(unsigned_number())
      ->capture_default_str();
  sub->add_option("-s,--seed", opt->gen.seed, "Seed: the same seed gives the same trace")
      ->transform(unsigned_number())
      ->capture_default_str();
  sub->add_option("-o,--output", opt->output, "Output file (- = stdout)")->capture_default_str();
  sub->add_option("--to", opt->to,
                  "Output format: json, jsonl or binary (default: from -o's extension; stdout: jsonl)")
      ->check(CLI::IsMember({"json", "jsonl", "ndjson", "binary", "fa32"}));
  sub->add_option("--live", opt->gen.live,
                  "Target live-set size in allocations, at least 1 (default: the profile's)")
      ->transform(unsigned_number());
  sub->add_option("--sizes", opt->sizes,
                  "Request sizes: fixed:N, uniform:LO-HI, power:LO-HI[:ALPHA], hist:[[SIZE,WEIGHT],...] or "
                  "hist:@FILE.json; each at most 1 TiB, as fa32 validate takes by default (default: the "
                  "profile's)");
  sub->add_option(
      "--realloc-share", opt->gen.realloc_share,
      "Fraction of events drawn as reallocs, in [0, 1) (default: the profile's); the trace's share "
      "can come out a little lower (a realloc drawn for a block at its size cap frees it instead) "
      "or, at 0, hold one realloc when the events less --leaks are odd (to balance the end)");
  sub->add_option("--threads", opt->gen.threads,
                  "Threads, 1 to 4096 (1: no thread ids in the trace; default: the profile's)")
      ->transform(unsigned_number(4096));
  sub->add_option("--leaks", opt->gen.leaks, "Allocations left live at the end (default 0: free everything)")
      ->transform(unsigned_number());
  sub->add_flag("--no-free", opt->no_free, "Leave every allocation live at the end");
  sub->footer(
      "Memory stays flat: 100 million events take no more memory than 1,000 (only the live set is\n"
      "kept). The header carries the profile, seed and options, event_count and id_bound.");
  return {sub, [opt] { return run_gen(*opt); }};
}

namespace {
void print_list() {
  for (const auto& p : traces::profiles()) {
    fmt::print("{}\n  {}\n  imitates: {}\n  defaults: live {}, sizes {}", p.name, p.summary, p.imitates,
               p.live, p.sizes);
    if (p.realloc_share > 0) fmt::print(", realloc share {}", p.realloc_share);
    if (p.threads > 1) fmt::print(", {} threads", p.threads);
    fmt::print("\n\n");
  }
}
}  // namespace

int run_gen(const GenCmdOptions& o) {
  if (o.list) {
    print_list();
    return exit_ok;
  }
  traces::GenOptions g = o.gen;
  // With --no-free the generator never reads --leaks: the count asked for
  // was dropped without a word.
  if (o.no_free && g.leaks != 0)
    throw InputError("--leaks " + std::to_string(g.leaks) +
                     " leaves that many allocations live, --no-free every one: give one");
  g.free_at_end = !o.no_free;
  std::unique_ptr<traces::TraceReader> gen;
  try {
    if (!o.sizes.empty()) g.sizes = traces::SizeDistribution::parse(o.sizes);
    gen = traces::make_generator(g);
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
  // A larger size is an error to fa32 validate by default: gen wrote
  // traces its own validate refused.
  const std::uint64_t max_size = traces::ValidationLimits{}.max_size;
  if (g.sizes && g.sizes->max() > max_size)
    throw InputError("--sizes: sizes go up to " + std::to_string(g.sizes->max()) + " bytes, past " +
                     std::to_string(max_size) +
                     " (1 TiB), the largest fa32 validate takes by default (--max-size)");
  traces::Format to = output_format(o.to, o.output);
  // --sizes hist:@FILE reads FILE: the trace must not be written over it.
  constexpr std::string_view hist_file = "hist:@";
  if (o.sizes.rfind(hist_file, 0) == 0)
    refuse_output_over_input(o.output, {o.sizes.substr(hist_file.size())});
  write_trace_file(o.output, [&] {
    auto writer = traces::create_writer(o.output, to, gen->header());
    const RemoveOnSignal remove_on_signal(o.output);
    std::vector<traces::Event> batch(4096);
    while (std::size_t n = gen->read(batch)) writer->write(std::span<const traces::Event>(batch.data(), n));
    writer->finish();
    spdlog::debug("{}: {} events written to {}", gen->source(), writer->events_written(), o.output);
  });
  return exit_ok;
}

}  // namespace fa32::app
