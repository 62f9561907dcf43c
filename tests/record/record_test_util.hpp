// Helpers for the recorder tests: run the real fa32 binary, read traces back
// and compare event sequences independently of the exact id numbers.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fa32/traces/event.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::test {

// Runs argv (argv[0] searched in PATH) with extra "NAME=value" environment
// entries; stdout/stderr go to log (appended) if given. Returns the exit
// status, 128+N for a signal.
int run_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                const std::string& log = "");

// A fresh empty directory under the test work dir.
std::string fresh_dir(const std::string& name);

struct Trace {
  traces::TraceHeader header;
  std::vector<traces::Event> events;
};
// Reads a whole trace; throws (failing the test) if it is not readable.
Trace read_trace(const std::string& path);

// The events from the malloc of size begin_size up to and including the
// free of the block of size end_size.
std::vector<traces::Event> between_markers(const std::vector<traces::Event>& events, std::uint64_t begin_size,
                                           std::uint64_t end_size);

// Ids renamed to 0, 1, 2, ... in order of allocation (an id freed and
// reused gets a new name), time dropped: two traces of the same calls with
// different id histories compare equal.
std::vector<traces::Event> canonical(const std::vector<traces::Event>& events);

// What glibc mtrace can see of an event: calloc and the aligned
// allocations become mallocs of the byte count, no thread, no time.
std::vector<traces::Event> as_mtrace_sees(const std::vector<traces::Event>& events);

// One expected call: for allocations `name` names the block, for realloc
// and free it refers to a block named earlier.
struct Expected {
  traces::Op op;
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t count = 1;
  std::uint64_t alignment = 0;
};
// Checks events against the expected calls, one by one (doctest CHECKs).
void check_sequence(const std::vector<traces::Event>& events, const std::vector<Expected>& expected);

std::string describe(const traces::Event& e);

}  // namespace fa32::test
