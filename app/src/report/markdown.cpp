// SPDX-License-Identifier: GPL-3.0-or-later
#include "markdown.hpp"

namespace fa32::app::report {

std::string markdown_cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace fa32::app::report
