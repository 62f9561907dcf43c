// The Markdown escaping the report and diff printers share.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace fa32::app::report {

// Text for a table cell (GitHub Flavored Markdown): '|' escaped, since it
// ends the cell even inside a code span, and line breaks as spaces, since
// one ends the table (a trace named "a\nb.json" split it in two).
std::string markdown_cell(std::string_view s);

}  // namespace fa32::app::report
