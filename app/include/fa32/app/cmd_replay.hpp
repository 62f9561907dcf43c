// `fa32 replay TRACE...`: replay traces and print what the allocator did.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fa32/app/command.hpp"
#include "fa32/app/replay_cli.hpp"

namespace fa32::app {

struct ReplayOptions {
  ReplayCliOptions common;  // text report; gates only when given
};

Command setup_replay(CLI::App& app);
int run_replay(const ReplayOptions& options);

}  // namespace fa32::app
