// Turns the raw files the preloaded recorder wrote into fa32 traces.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fa32/traces/event.hpp"
#include "fa32/traces/import.hpp"

namespace fa32::app::record {

// The raw files of one process: one per process image, in exec order.
struct RawProcess {
  std::int64_t pid = 0;
  std::vector<std::string> files;
};

// Every process that left raw files in dir (raw.<pid>.<generation>), by pid.
std::map<std::int64_t, RawProcess> list_raw_files(const std::string& dir);

// The program the process was running when it ended, as its last image
// (argv[0]) or the unrecorded program that image exec'd names it; empty
// when it left no readable raw file.
std::string running_program(const RawProcess& process);

struct ConvertResult {
  traces::ImportStats stats;
  std::uint64_t torn = 0;  // records reserved but never completed (the process died mid-call)
  bool overflow = false;   // the recorder ran out of room and stopped recording
  int overflow_error = 0;  // why: the errno of the growth that failed, 0 if the reserved space was full
  std::uint64_t images = 0;
  std::int64_t ppid = 0;
  std::uint64_t start_realtime_ns = 0;
  std::vector<std::string> image_commands;  // each image's command line, shell-quoted
  // The program the last image exec'd, when that exec succeeded but the new
  // image did not load the recorder (statically linked, set-user-ID,
  // LD_PRELOAD dropped): everything after it is missing. Empty otherwise.
  std::string unrecorded_exec;
};

// Converts one process into a binary trace at out_path. header supplies
// the metadata known to the caller (command, exit status); counts, pid,
// date and id bound are added here. Throws TraceError on unreadable raw
// files, traces::WriteError when the trace cannot be written (the caller
// removes what was), std::runtime_error when a scratch file cannot.
ConvertResult convert_process(const RawProcess& process, const std::string& out_path,
                              traces::TraceHeader header);

}  // namespace fa32::app::record
