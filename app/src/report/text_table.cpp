// SPDX-License-Identifier: GPL-3.0-or-later
#include "text_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fa32::app::report {

// fmt pads a string to its display width (a column a code point, two for
// the East Asian wide ones): padded to its byte length, which is never
// less, s gets that length minus its width in spaces. Columns counted in
// bytes put "café" one column and "日本" two columns out of line.
std::size_t display_width(std::string_view s) {
  return 2 * s.size() - fmt::formatted_size("{:<{}}", s, s.size());
}
std::string pad_left(std::string_view s, std::size_t width) {
  return fmt::format("{:>{}}", s, width);
}
std::string pad_right(std::string_view s, std::size_t width) {
  return fmt::format("{:<{}}", s, width);
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 const TableLayout& layout) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size());
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
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
