// Checks for numeric command-line options that CLI11 does not make itself.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace fa32::app {

// For an unsigned option. CLI11 reads "-1" into one as its largest value
// (so `fa32 gen -n -1` wrote events without end), and a number beyond
// 2^64 - 1 as 2^64 - 1 (`gen -s 18446744073709551616` gave the trace of
// seed 18446744073709551615, without a word): this refuses both before
// the conversion, and anything but decimal digits ("010" was octal 8,
// "0x10" hex 16): leading zeros are dropped, so "010" is ten. Give it
// with ->transform(), not ->check(): a check's changes to the text are
// thrown away.
const CLI::Validator& unsigned_number();

// The same for an option of fewer bits or a smaller range: a value past
// max is refused naming max. CLI11 said only "Could not convert" of a
// number past a 32-bit option's range (`gen --threads 4294967297`).
CLI::Validator unsigned_number(std::uint64_t max);

// CLI11's Range compares, and "nan" compares false with everything, so a
// gate of nan passed every report: this refuses nan and infinities.
const CLI::Validator& finite_number();

}  // namespace fa32::app
