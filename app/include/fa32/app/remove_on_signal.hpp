// Removing an output file that a signal leaves half written.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace fa32::app {

// While one is alive, SIGINT, SIGTERM and SIGHUP remove `path` (when it is
// a regular file) and then end the process by the same signal, so the
// shell sees 128 + N. Without it, a Ctrl-C in the middle of a long convert,
// import or gen leaves the lines written so far, and a JSON Lines trace
// whose header has no event_count, cut at a line end, reads as a complete
// (shorter) trace. The destructor puts the earlier handlers back. One at a
// time; "-" (standard output) and devices or FIFOs are left alone.
class RemoveOnSignal {
 public:
  explicit RemoveOnSignal(const std::string& path);
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

 private:
  bool armed_ = false;
};

}  // namespace fa32::app
