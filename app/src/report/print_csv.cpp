// CSV: "key,value" rows for one trace; "key,<trace>,<trace>..." for several.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "csv.hpp"
#include "fa32/app/report/printers.hpp"

namespace fa32::app::report {

void print_csv(std::ostream& out, std::span<const Report> reports) {
  const FigureTable t = side_by_side(reports, false);
  out << "key";
  if (reports.size() == 1) {
    out << ",value";
  } else {
    for (const Report& r : reports) out << ',' << csv_field(r.trace);
  }
  out << '\n';
  for (std::size_t i = 0; i < t.keys.size(); ++i) {
    out << csv_field(t.keys[i]);
    for (const std::string& cell : t.cells[i]) out << ',' << csv_field(cell);
    out << '\n';
  }
}

}  // namespace fa32::app::report
