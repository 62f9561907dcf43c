// `fa32 diff` output: text (coloured on a terminal), Markdown for a
// pull-request comment, or JSON. Unchanged figures only with --all.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fa32/app/report/diff.hpp"
#include "fa32/app/report/json_text.hpp"
#include "fa32/traces/printable.hpp"
#include "markdown.hpp"
#include "style.hpp"
#include "text_table.hpp"

namespace fa32::app::report {
namespace {

using json = nlohmann::ordered_json;

// Integers print whole; anything else to six significant digits.
std::string value_text(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[48];
  if (std::fabs(*v) < 9e15 && *v == std::floor(*v)) {
    std::snprintf(buf, sizeof buf, "%.0f", *v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", *v);
  }
  return buf;
}

// An integer figure in full, however large; others as above.
std::string figure_text(const std::optional<Number>& v) {
  if (v && v->integer) return number_text(*v);
  return value_text(v ? std::optional<double>(v->real) : std::nullopt);
}

std::string change_text(const DiffRow& r) {
  if (!r.base || !r.next) return r.base ? "removed" : "added";
  std::string s = figure_text(r.change);
  return r.change.real > 0 ? "+" + s : s;
}

std::string relative_text(const DiffRow& r) {
  if (!r.base || !r.next) return "";
  if (!r.relative) return "from 0";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.2f %%", *r.relative * 100.0);
  return buf;
}

struct Counts {
  std::size_t better = 0, worse = 0, changed = 0, unchanged = 0;
};

Counts count(const Diff& d) {
  Counts c;
  for (const DiffRow& r : d.rows) {
    if (r.verdict == Verdict::better) ++c.better;
    if (r.verdict == Verdict::worse) ++c.worse;
    if (r.verdict == Verdict::changed) ++c.changed;
    if (r.verdict == Verdict::unchanged) ++c.unchanged;
  }
  return c;
}

std::string summary(const Diff& d, bool all) {
  const Counts c = count(d);
  const std::size_t moved = c.better + c.worse + c.changed;
  std::string s = std::to_string(moved) + (moved == 1 ? " figure" : " figures") + " changed (" +
                  std::to_string(c.worse) + " worse, " + std::to_string(c.better) + " better, " +
                  std::to_string(c.changed) + " with no better direction), " + std::to_string(c.unchanged) +
                  " unchanged";
  if (!all && c.unchanged != 0) s += " (--all shows them)";
  return s;
}

std::string gate_text(const DiffGate& g) {
  return "gate " + g.figure + " at most " + value_text(g.max_percent) +
         " % worse: " + (g.passed ? "passed" : "FAILED: " + g.message);
}

void print_text(std::ostream& out, const Diff& d, bool all, const Style& st) {
  // File names, figure names (which hold trace paths and workload names)
  // and the reports' own strings are anyone's text (see printable).
  using traces::printable;
  out << st.bold("fa32 diff") << " (" << printable(d.kind) << " reports)\n  base: " << printable(d.base_file)
      << "\n  new:  " << printable(d.new_file) << "\n";
  for (const std::string& w : d.warnings) out << st.yellow("warning: ") << printable(w) << "\n";
  for (const ContextChange& c : d.context)
    out << "  " << printable(c.figure) << ": " << printable(c.base) << "  ->  " << printable(c.next) << "\n";
  std::vector<std::vector<std::string>> rows{{"figure", "base", "new", "change", "relative", ""}};
  for (const DiffRow& r : d.rows) {
    if (!all && r.verdict == Verdict::unchanged) continue;
    std::string v = verdict_name(r.verdict);
    if (r.verdict == Verdict::worse) v = st.red(v);
    if (r.verdict == Verdict::better) v = st.green(v);
    // The verdict goes last: its colour codes must not widen a column.
    rows.push_back(
        {printable(r.figure), figure_text(r.base), figure_text(r.next), change_text(r), relative_text(r), v});
  }
  out << "\n";
  TableLayout layout;
  layout.left_columns = {0, 5};
  layout.trim = true;
  if (rows.size() > 1) print_table(out, rows, layout);
  out << summary(d, all) << "\n";
  for (const DiffGate& g : d.gates) {
    const std::string text = printable(gate_text(g));
    out << (g.passed ? text : st.red(text)) << "\n";
  }
}

void print_markdown(std::ostream& out, const Diff& d, bool all) {
  // File names and figure names (which hold trace paths and workload
  // names) are anyone's text: a '|' or '`' in them must not end a cell or
  // a code span, a line break not end the table.
  out << "### fa32 diff: " << markdown_code(d.base_file) << " \u2192 " << markdown_code(d.new_file) << "\n\n";
  for (const std::string& w : d.warnings) out << "> **Warning:** " << markdown_cell(w) << "\n\n";
  for (const ContextChange& c : d.context) {
    out << "- " << markdown_code(c.figure) << ": " << markdown_cell(c.base) << " \u2192 "
        << markdown_cell(c.next) << "\n";
  }
  if (!d.context.empty()) out << "\n";
  bool header = false;
  for (const DiffRow& r : d.rows) {
    if (!all && r.verdict == Verdict::unchanged) continue;
    if (!header) {
      out << "| figure | base | new | change | relative | |\n|---|---:|---:|---:|---:|---|\n";
      header = true;
    }
    const char* mark = r.verdict == Verdict::worse    ? "\U0001F534 "
                       : r.verdict == Verdict::better ? "\U0001F7E2 "
                                                      : "";
    out << "| " << markdown_cell(markdown_code(r.figure)) << " | " << figure_text(r.base) << " | "
        << figure_text(r.next) << " | " << change_text(r) << " | " << relative_text(r) << " | " << mark
        << verdict_name(r.verdict) << " |\n";
  }
  if (header) out << "\n";
  out << summary(d, all) << ".\n";
  for (const DiffGate& g : d.gates)
    out << "\n" << (g.passed ? "\u2705 " : "\u274C ") << markdown_cell(gate_text(g)) << "\n";
}

// Whole numbers stay integers, as in the reports read; integers exactly
// (a difference beyond the 64-bit range, which no report figure reaches
// alone, falls back to a double).
json optional_number(const std::optional<Number>& v) {
  if (!v) return nullptr;
  if (v->integer) {
    const Int128 i = *v->integer;
    if (i >= 0 && i <= Int128(UINT64_MAX)) return json(static_cast<std::uint64_t>(i));
    if (i < 0 && i >= Int128(INT64_MIN)) return json(static_cast<std::int64_t>(i));
    return json(v->real);
  }
  if (std::fabs(v->real) < 9e15 && v->real == std::floor(v->real))
    return json(static_cast<std::int64_t>(v->real));
  return json(v->real);
}

void print_json(std::ostream& out, const Diff& d, bool all) {
  json j;
  j["command"] = "diff";
  j["kind"] = d.kind;
  j["base"] = d.base_file;
  j["new"] = d.new_file;
  j["warnings"] = d.warnings;
  json context = json::array();
  for (const ContextChange& c : d.context)
    context.push_back({{"figure", c.figure}, {"base", c.base}, {"new", c.next}});
  j["context"] = context;
  json rows = json::array();
  for (const DiffRow& r : d.rows) {
    if (!all && r.verdict == Verdict::unchanged) continue;
    const char* better = r.better == Better::lower    ? "lower"
                         : r.better == Better::higher ? "higher"
                                                      : nullptr;
    rows.push_back({{"figure", r.figure},
                    {"base", optional_number(r.base)},
                    {"new", optional_number(r.next)},
                    {"change", r.base && r.next ? optional_number(r.change) : json(nullptr)},
                    {"relative", r.relative ? json(*r.relative) : json(nullptr)},
                    {"better", better ? json(better) : json(nullptr)},
                    {"verdict", verdict_name(r.verdict)}});
  }
  j["figures"] = rows;
  const Counts c = count(d);
  j["counts"] = {
      {"worse", c.worse}, {"better", c.better}, {"changed", c.changed}, {"unchanged", c.unchanged}};
  json gates = json::array();
  for (const DiffGate& g : d.gates) {
    gates.push_back(
        {{"figure", g.figure}, {"max_percent", g.max_percent}, {"passed", g.passed}, {"message", g.message}});
  }
  j["gates"] = gates;
  j["passed"] = d.passed();
  out << json_text(j) << "\n";
}

}  // namespace

void print_diff(std::ostream& out, const Diff& d, DiffFormat format, bool all, bool color) {
  switch (format) {
    case DiffFormat::text:
      print_text(out, d, all, Style{color});
      return;
    case DiffFormat::markdown:
      print_markdown(out, d, all);
      return;
    case DiffFormat::json:
      print_json(out, d, all);
      return;
  }
}

}  // namespace fa32::app::report
