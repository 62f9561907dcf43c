// SPDX-License-Identifier: GPL-3.0-or-later
#include "markdown.hpp"

#include <algorithm>

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

std::string markdown_code(std::string_view s) {
  std::size_t longest = 0;
  std::size_t run = 0;
  std::string text;
  text.reserve(s.size());
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    text += c == '\n' || c == '\r' ? ' ' : c;
  }
  const std::string fence(longest + 1, '`');
  // A span that starts or ends with a backtick needs a space between it
  // and the fence; one space each side is stripped again when rendered.
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

}  // namespace fa32::app::report
