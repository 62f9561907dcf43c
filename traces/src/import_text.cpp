// SPDX-License-Identifier: GPL-3.0-or-later
#include "import_text.hpp"

#include <charconv>

#include "fa32/traces/printable.hpp"
#include "header_json.hpp"

namespace fa32::traces::import_detail {
namespace {
// The trace readers' limit for a line, so a log line too long to import
// would be too long to read back as JSON Lines anyway.
constexpr std::size_t kMaxLineBytes = detail::kMaxTokenBytes;
// The longest line, and getline's terminating NUL.
constexpr std::size_t kBufBytes = kMaxLineBytes + 1;
}  // namespace

LineReader::LineReader(std::istream& in, const std::string& name)
    : in_(in), name_(name), buf_(new char[kBufBytes]) {}

bool LineReader::next(std::string_view& line) {
  // istream::getline stores at most kBufBytes - 1 bytes; filling them
  // with more to come before a newline sets failbit: a line too long.
  in_.getline(buf_.get(), static_cast<std::streamsize>(kBufBytes));
  const auto got = static_cast<std::size_t>(in_.gcount());
  // Big logs get compressed; the importers read text only, and a gzip
  // stream's bytes would fail as a malformed (or too long) first line.
  if (line_no_ == 0 && got >= 2 && buf_[0] == '\x1f' && buf_[1] == '\x8b') {
    throw TraceError(name_ +
                     ":1: the log is gzip-compressed: decompress it first (gunzip, or zcat piped to "
                     "fa32 import ... -)");
  }
  if (in_.fail()) {
    if (got == 0) return false;  // the end of input (or a read error: bad())
    throw TraceError(name_ + ":" + std::to_string(line_no_ + 1) +
                     ": the line is longer than 1 MiB (1048576 bytes) without a newline: not a text log?");
  }
  ++line_no_;
  // gcount counts the newline, which is extracted but not stored; at the
  // end of input without one, eofbit is set.
  line = std::string_view(buf_.get(), in_.eof() ? got : got - 1);
  return true;
}

std::optional<std::uint64_t> parse_number(std::string_view s, bool hex) {
  int base = 10;
  if (hex) {
    base = 16;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_pointer(std::string_view s) {
  if (s == "(nil)") return 0;
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  return parse_number(s, true);
}

std::string shown(std::string_view text) {
  return printable(text.substr(0, 80));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace fa32::traces::import_detail
