// --memory-limit SIZE: the bound on live requested bytes that every command
// replaying a trace shares (replay, stats, bench, and any later command that
// replays), so a trace asking for a terabyte is refused instead of made.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace fa32::app {

// No limit (--memory-limit none).
inline constexpr std::uint64_t no_memory_limit = UINT64_MAX;

// The machine's physical memory in bytes (0 if the system does not say).
std::uint64_t physical_memory_bytes();
// Half the physical memory: what a replay may hold live when no
// --memory-limit is given. 4 GiB when the physical memory is unknown.
std::uint64_t default_memory_limit();

// Adds --memory-limit SIZE to sub, storing the text in text ("" = default).
void add_memory_limit_option(CLI::App& sub, std::string& text);
// "" -> default_memory_limit(), "none" -> no_memory_limit, else a size
// ("512M", "8G", bytes). Throws InputError naming --memory-limit.
std::uint64_t resolve_memory_limit(const std::string& text);
// "12.0 GiB (12884901888 bytes)", or "none".
std::string describe_memory_limit(std::uint64_t limit);

// " (the limit on address space, ulimit -v, is N KiB)" when the process
// runs under one (RLIMIT_AS), else "": the end of a message saying that
// memory or address space ran out, which such a limit often explains.
std::string address_space_limit_note();
// The same limit in KiB, as ulimit -v gives it ("" when there is none).
std::string address_space_limit_kib();

}  // namespace fa32::app
