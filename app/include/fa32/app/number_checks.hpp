// Checks for numeric command-line options that CLI11 does not make itself.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <CLI/CLI.hpp>

namespace fa32::app {

// CLI11 reads "-1" into an unsigned option as its largest value (so
// `fa32 gen -n -1` wrote events without end): this refuses a minus sign
// before the conversion.
const CLI::Validator& not_negative();

// CLI11's Range compares, and "nan" compares false with everything, so a
// gate of nan passed every report: this refuses nan and infinities.
const CLI::Validator& finite_number();

}  // namespace fa32::app
