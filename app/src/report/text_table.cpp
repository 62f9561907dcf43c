// SPDX-License-Identifier: GPL-3.0-or-later
#include "text_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fa32::app::report {

// Widths are counted in bytes, as the columns are measured; fmt would count
// a UTF-8 string's display width instead, so it pads an empty field here.
std::string pad_left(std::string_view s, std::size_t width) {
  return fmt::format("{:>{}}{}", "", width > s.size() ? width - s.size() : 0, s);
}
std::string pad_right(std::string_view s, std::size_t width) {
  return fmt::format("{}{:<{}}", s, "", width > s.size() ? width - s.size() : 0);
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 const TableLayout& layout) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size());
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto align = [&](std::size_t c) {
    const auto& l = layout.left_columns;
    return std::find(l.begin(), l.end(), c) != l.end() ? Align::left : layout.align;
  };
  for (const auto& row : rows) {
    std::string line(layout.indent);
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c != 0) line += layout.gap;
      line += align(c) == Align::left ? pad_right(row[c], width[c]) : pad_left(row[c], width[c]);
    }
    if (layout.trim) line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
}

}  // namespace fa32::app::report
