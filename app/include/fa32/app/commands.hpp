// Every subcommand of fa32, registered in one place.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

#include "fa32/app/command.hpp"

namespace fa32::app {

// Adds every subcommand to app, in the order --help lists them.
std::vector<Command> register_commands(CLI::App& app);

}  // namespace fa32::app
