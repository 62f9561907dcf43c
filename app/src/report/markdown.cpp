// SPDX-License-Identifier: GPL-3.0-or-later
#include "markdown.hpp"

#include <algorithm>

#include "fa32/traces/printable.hpp"

namespace fa32::app::report {

namespace {

// Line breaks as spaces, then every other control character as \xNN: a
// Markdown report is read in a terminal too (cat, CI logs), where an ESC
// from a trace's name would rewrite the screen.
std::string one_line(std::string_view s) {
  std::string text(s);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return traces::printable(text);
}

}  // namespace

std::string markdown_cell(std::string_view s) {
  const std::string text = one_line(s);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string markdown_code(std::string_view s) {
  std::size_t longest = 0;
  std::size_t run = 0;
  const std::string text = one_line(s);
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  // A span that starts or ends with a backtick needs a space between it
  // and the fence; one space each side is stripped again when rendered.
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

}  // namespace fa32::app::report
