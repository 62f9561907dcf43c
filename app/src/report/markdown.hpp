// The Markdown escaping the report and diff printers share.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace fa32::app::report {

// Text for a table cell (GitHub Flavored Markdown): '|' escaped, since it
// ends the cell even inside a code span, and line breaks as spaces, since
// one ends the table (a trace named "a\nb.json" split it in two); other
// control characters and bytes that are not UTF-8 as \xNN
// (traces::printable), as in the text reports.
std::string markdown_cell(std::string_view s);

// s as a code span whose fence is one backtick longer than the longest run
// of backticks in s, so none of them ends it (CommonMark); line breaks as
// spaces, other control characters as \xNN. In a table cell it still needs
// markdown_cell for its '|'.
std::string markdown_code(std::string_view s);

}  // namespace fa32::app::report
