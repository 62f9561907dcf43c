// The frame every HTML report shares: one self-contained file, its style and
// its one small script inline, nothing fetched.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace fa32::app::report {

// <!DOCTYPE html> ... <body>, with the title as <title> and <h1>.
void html_begin(std::ostream& out, std::string_view title);
// The check script (it records how many charts were drawn and at what size,
// so a headless browser's DOM dump can tell), then </body></html>.
void html_end(std::ostream& out);
// A figure's cell: the text for people, the machine value in data-value.
std::string html_figure_row(std::string_view key, std::string_view label, std::string_view shown,
                            std::string_view value);

}  // namespace fa32::app::report
