// Checking early that an output file can be written, without touching it,
// and writing a report or trace file whole or not at all.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace fa32::app {

// Throws InputError when `path` cannot be opened for writing. An existing
// file is left as it is (not truncated: the command may still fail before
// it writes, and the old contents must survive that), and a file this
// creates to find out is removed again; a FIFO or a device is only checked
// for permission, never opened. For commands whose work takes long before
// they write, so that a typo in -o costs no time.
void check_output_writable(const std::string& path);

// Writes a report to `path` (created or truncated) through `write`, and
// throws InputError when any of it could not be written (a full disk). A
// report cut short could read as a whole one (a text or CSV report may end
// at any line), so the incomplete file is removed, if it is a regular file;
// a device or a pipe is left alone.
void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write);

// Runs `write`, which creates and writes the trace file `path` through a
// traces writer. When a write to it fails (traces::WriteError: a full disk,
// the file size limit) the incomplete file is removed, if it is a regular
// file, and InputError says so, naming the file and the error: a trace cut
// short at a line end may read as a whole, shorter one. Any other error (a
// malformed input event) passes through and leaves what was written, which
// reads as truncated. "-" (standard output) is left alone.
void write_trace_file(const std::string& path, const std::function<void()>& write);

// Removes `path` when it is a regular file (not "-", a device or a pipe) and
// returns "; the incomplete file was removed" if it did, else "": the end of
// the message of a write error.
std::string remove_incomplete_output(const std::string& path);

}  // namespace fa32::app
