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
// time; "-" (standard output) and devices or FIFOs are left alone. An
// earlier handler that is a function (a RemoveDirOnSignal) gets the signal
// next, so nested cleanups all run.
class RemoveOnSignal {
 public:
  explicit RemoveOnSignal(const std::string& path);
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

 private:
  bool armed_ = false;
};

// The same for a scratch directory the command itself created: while one
// is alive, SIGINT, SIGTERM and SIGHUP remove the files directly in `dir`
// and then `dir` (a subdirectory is left, and with it `dir`), and end the
// process by the same signal. fa32 record's raw recordings, hundreds of
// MiB, were left behind by a ^C during the conversion. One at a time.
class RemoveDirOnSignal {
 public:
  explicit RemoveDirOnSignal(const std::string& dir);
  ~RemoveDirOnSignal();
  RemoveDirOnSignal(const RemoveDirOnSignal&) = delete;
  RemoveDirOnSignal& operator=(const RemoveDirOnSignal&) = delete;

 private:
  bool armed_ = false;
};

}  // namespace fa32::app
