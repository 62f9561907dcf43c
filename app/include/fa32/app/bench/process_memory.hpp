// The worker's own memory figures, from /proc/self.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace fa32::app::bench {

// VmRSS and VmHWM from /proc/self/status, in bytes (0 if unreadable).
std::uint64_t current_rss_bytes();
std::uint64_t peak_rss_bytes();
// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs, Linux
// 4.0+), so a later peak_rss_bytes() measures only what came after. False if
// the kernel refused.
bool reset_peak_rss();
// True when a file whose path ends in library (a path or a bare soname) is
// mapped into this process: the check that an LD_PRELOAD took effect.
bool library_mapped(const std::string& library);
// True when this process's malloc and free are library's (a path or a bare
// soname): a preloaded library can be mapped and still not be an allocator
// (libm, libbz2), and then the process runs on glibc under its name.
bool allocator_is(const std::string& library);

}  // namespace fa32::app::bench
