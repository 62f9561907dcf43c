// Command lines as a shell would read them back, for trace metadata.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace fa32::app {

// s as one shell word: as is when it is plain, else in single quotes.
std::string shell_quote(const std::string& s);

// The words shell-quoted and joined with spaces: an empty argument or one
// with spaces keeps its boundaries.
std::string join_command(const std::vector<std::string>& argv);

}  // namespace fa32::app
