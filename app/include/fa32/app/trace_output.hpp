// The output format of a command that writes a trace: --to, else the
// extension of the path, else (standard output) JSON Lines.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "fa32/traces/format.hpp"

namespace fa32::app {

// Throws InputError when neither --to nor the extension says.
traces::Format output_format(const std::string& to, const std::string& path);

}  // namespace fa32::app
