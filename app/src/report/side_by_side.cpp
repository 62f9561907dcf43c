// SPDX-License-Identifier: GPL-3.0-or-later
#include <unordered_map>

#include "fa32/app/report/printers.hpp"

namespace fa32::app::report {

FigureTable side_by_side(std::span<const Report> reports, bool for_people) {
  FigureTable t;
  std::unordered_map<std::string, std::size_t> row_of;
  for (std::size_t c = 0; c < reports.size(); ++c) {
    for (const Figure& f : figures(reports[c])) {
      auto [it, fresh] = row_of.try_emplace(f.key, t.keys.size());
      if (fresh) {
        t.keys.push_back(f.key);
        t.labels.push_back(f.label);
        t.cells.emplace_back(reports.size());
      }
      t.cells[it->second][c] = format_value(f, for_people);
    }
  }
  // A figure one report lacks (a size class it never used, an error it did
  // not have) reads "-" for people, so a blank cell is never taken for a
  // column misaligned; machines get the empty field.
  if (for_people) {
    for (auto& row : t.cells) {
      for (std::string& cell : row) {
        if (cell.empty()) cell = "-";
      }
    }
  }
  return t;
}

}  // namespace fa32::app::report
