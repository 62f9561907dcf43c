// The charts of one replay report, as inline SVG, for print_html.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fa32/app/report/report.hpp"

namespace fa32::app::report {

// Every chart the report has data for; ids start with prefix.
std::vector<std::string> replay_charts(const Report& report, const std::string& prefix);

// Waste of a size class at its peak: blocks it could hold but did not use,
// and the bytes between what was asked for and the block size (0 when the
// peaks were not kept: the requested-bytes peak is then not measured).
std::uint64_t class_unused_bytes(const ClassFigures& k);
std::uint64_t class_padding_bytes(const ClassFigures& k);

}  // namespace fa32::app::report
