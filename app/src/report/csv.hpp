// The one CSV field quoting the report and bench printers share.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace fa32::app::report {

// RFC 4180: the field as is, or quoted (quotes doubled) when it holds a
// comma, a quote or a line break.
std::string csv_field(std::string_view s);

}  // namespace fa32::app::report
