// Checking early that an output file can be written, without touching it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace fa32::app {

// Throws InputError when `path` cannot be opened for writing. An existing
// file is left as it is (not truncated: the command may still fail before
// it writes, and the old contents must survive that), and a file this
// creates to find out is removed again. For commands whose work takes long
// before they write, so that a typo in -o costs no time.
void check_output_writable(const std::string& path);

}  // namespace fa32::app
