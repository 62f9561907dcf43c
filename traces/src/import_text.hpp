// Small parsing helpers shared by the text-log importers.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fa32/traces/reader.hpp"

namespace fa32::traces::import_detail {

// "0x1f" / "1f" (hex=true) or "31"; nullopt unless the whole token is a number.
std::optional<std::uint64_t> parse_number(std::string_view s, bool hex);
// A pointer as printf's %p writes it: "0x55d0c2a4e2a0", or "(nil)" for NULL (0).
std::optional<std::uint64_t> parse_pointer(std::string_view s);
std::string_view trim(std::string_view s);

// Reads a log one line at a time, as std::getline would, but refuses a line
// longer than kMaxLineBytes: std::getline grows its string until it meets a
// newline, so input with none (a binary file, /dev/zero) took memory without
// bound. The buffer is allocated once; the lines stream through it.
class LineReader {
 public:
  LineReader(std::istream& in, const std::string& name);
  // The next line without its newline, valid until the next call; false at
  // the end of input. Throws TraceError naming the line for one too long.
  bool next(std::string_view& line);
  std::uint64_t line_no() const { return line_no_; }

 private:
  std::istream& in_;
  const std::string& name_;
  std::unique_ptr<char[]> buf_;
  std::uint64_t line_no_ = 0;
};

// At most the first 80 bytes of text for an error message, printable()
// (controls and bytes that are not UTF-8 as \xNN): a file that is no text
// log (a gzip'd log, a trace) must not put control bytes on the user's
// terminal.
std::string shown(std::string_view text);

[[noreturn]] inline void fail(const std::string& name, std::uint64_t line, const std::string& what,
                              std::string_view text) {
  throw TraceError(name + ":" + std::to_string(line) + ": " + what + " in \"" + shown(text) + "\"");
}

}  // namespace fa32::traces::import_detail
