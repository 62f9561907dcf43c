// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_diff.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "fa32/app/cli.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/report/diff.hpp"
#include "fa32/app/same_file.hpp"

namespace fa32::app {

Command setup_diff(CLI::App& app) {
  auto o = std::make_shared<DiffOptions>();
  CLI::App* sub = app.add_subcommand(
      "diff",
      "Compare two JSON reports (of replay/stats, or of bench): every figure's old and new value, its "
      "change, and whether that is better or worse");
  sub->footer(
      "Reports come from --format json. Two configs on one trace:\n"
      "  fa32 stats T --allow-leaks -o a.json; fa32 stats T --allow-leaks --classes 16,32,64 -o b.json\n"
      "  fa32 diff a.json b.json\n"
      "Before and after a change, in CI (baseline kept in the repository):\n"
      "  fa32 stats T --allow-leaks -o new.json\n"
      "  fa32 diff baseline.json new.json --format markdown --ignore timing --max-regression "
      "footprint_peak=5\n"
      "Either report may be - (standard input): fa32 stats T --format json | fa32 diff baseline.json -\n"
      "FIGURE is a JSON name: the leaf (footprint_peak: every figure of that name) or a dotted path\n"
      "(memory.footprint_peak, classes[16].hit_rate). Lower is better for time, footprint, fragmentation,\n"
      "fallbacks, failures and leaks; higher for hit rates, cache reuse and events/s; other figures are\n"
      "shown as changed (a gate on them fails on a change either way).\n"
      "Exit codes: 0 compared (and every gate passed); 1 a --max-regression gate failed; 2 bad input or\n"
      "usage (a file that is not a report, reports of different kinds, a gate or --ignore naming no\n"
      "figure).");
  sub->add_option("base", o->base, "The report to compare against (JSON; - for standard input)")
      ->required()
      ->type_name("BASE");
  sub->add_option("new", o->next, "The report to compare (JSON; - for standard input)")
      ->required()
      ->type_name("NEW");
  sub->add_flag("--all", o->all, "Show unchanged figures too");
  sub->add_option("--format,-f", o->format, "Output: text (coloured on a terminal), markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "md", "json"}))
      ->capture_default_str();
  sub->add_option("--max-regression", o->max_regression,
                  "FIGURE=PCT: exit 1 if FIGURE got worse by more than PCT percent, or is in one report only "
                  "(repeatable)")
      ->type_name("FIGURE=PCT")
      ->option_text("FIGURE=PCT")  // without CLI11's " ..." for a vector
      ->allow_extra_args(false);   // one value each: not the reports after it
  sub->add_option("--ignore", o->ignore,
                  "Leave out FIGURE, or a whole section such as timing (repeatable; before the gates)")
      ->type_name("FIGURE")
      ->option_text("FIGURE")
      ->allow_extra_args(false);
  sub->add_option("--output,-o", o->output, "Write to FILE instead of standard output")->type_name("FILE");
  return {sub, [o] { return run_diff(*o); }};
}

int run_diff(const DiffOptions& o) {
  if (o.base == "-" && o.next == "-")
    throw InputError("diff: BASE and NEW cannot both be - (standard input)");
  refuse_output_over_input(o.output, {o.base, o.next});
  report::DiffFormat format = report::DiffFormat::text;
  if (o.format == "markdown" || o.format == "md") format = report::DiffFormat::markdown;
  if (o.format == "json") format = report::DiffFormat::json;
  const auto base = report::load_report(o.base);
  const auto next = report::load_report(o.next);
  report::Diff d = report::diff_reports(base, next, o.base, o.next);
  for (const std::string& figure : o.ignore) report::ignore_figures(d, figure);
  for (const std::string& spec : o.max_regression) report::add_gate(d, spec);
  for (const std::string& w : d.warnings) spdlog::warn("{}", w);

  const char* no_color = std::getenv("NO_COLOR");
  const bool color = format == report::DiffFormat::text && o.output == "-" && isatty(STDOUT_FILENO) == 1 &&
                     (no_color == nullptr || no_color[0] == '\0');
  if (o.output == "-") {
    report::print_diff(std::cout, d, format, o.all, color);
    std::cout.flush();
  } else {
    write_output_file(o.output, [&](std::ostream& out) { report::print_diff(out, d, format, o.all, false); });
  }
  for (const report::DiffGate& g : d.gates) {
    if (!g.passed) spdlog::error("gate {} failed: {}", g.figure, g.message);
  }
  return d.passed() ? exit_ok : exit_check_failed;
}

}  // namespace fa32::app
