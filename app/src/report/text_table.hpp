// Padding and the aligned-table printer the text report and bench printers share.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fa32::app::report {

// Columns on a terminal, as fmt counts them (see text_table.cpp).
std::size_t display_width(std::string_view s);
std::string pad_left(std::string_view s, std::size_t width);   // right-aligned in width
std::string pad_right(std::string_view s, std::size_t width);  // left-aligned in width

enum class Align { left, right };

struct TableLayout {
  std::string_view indent = "  ";         // before the first column
  std::string_view gap = "  ";            // between columns
  Align align = Align::right;             // every column but those below
  std::vector<std::size_t> left_columns;  // columns aligned left instead
  bool trim = false;                      // drop each line's trailing spaces
};

// Each row one line, every column as wide as its widest cell (display width).
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 const TableLayout& layout);

}  // namespace fa32::app::report
