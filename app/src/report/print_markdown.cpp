// Markdown: a figure table (one value column per trace), then the leaks and
// gates of each trace.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/count_noun.hpp"
#include "fa32/app/report/printers.hpp"
#include "markdown.hpp"

namespace fa32::app::report {
void print_markdown(std::ostream& out, std::span<const Report> reports) {
  const FigureTable t = side_by_side(reports, true);
  out << "| figure |";
  for (const Report& r : reports) out << ' ' << markdown_cell(r.trace) << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < reports.size(); ++i) out << "---:|";
  out << '\n';
  for (std::size_t i = 0; i < t.keys.size(); ++i) {
    out << "| " << markdown_cell(t.labels[i]) << " |";
    for (const std::string& cell : t.cells[i]) out << ' ' << markdown_cell(cell) << " |";
    out << '\n';
  }
  for (const Report& r : reports) {
    const replay::ReplayResult& x = r.result;
    if (!x.leaks.empty()) {
      out << "\n**Leaks in " << markdown_cell(r.trace) << "**: " << count_noun(x.leak_count, "allocation")
          << ", " << count_noun(x.leak_bytes, "byte")
          << (x.leak_count > x.leaks.size() ? " (first " + std::to_string(x.leaks.size()) + ")" : "")
          << "\n\n| id | size | made by event |\n|---:|---:|---:|\n";
      for (const replay::Leak& l : x.leaks)
        out << "| " << l.id << " | " << l.size << " | " << l.event << " |\n";
    }
    if (!r.gates.empty()) {
      out << "\n**Gates for " << markdown_cell(r.trace)
          << "**\n\n| gate | threshold | result | |\n|---|---:|---|---|\n";
      for (const Gate& g : r.gates) {
        out << "| " << g.name << " | " << g.threshold << " | " << (g.passed ? "pass" : "FAIL") << " | "
            << markdown_cell(g.message) << " |\n";
      }
    }
  }
}

}  // namespace fa32::app::report
