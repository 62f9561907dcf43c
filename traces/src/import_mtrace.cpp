// glibc mtrace() logs (malloc/mtrace-impl.c): one line per call,
//   [@ caller ]+ PTR SIZE     malloc, calloc (count*size), memalign, ... ; realloc(NULL, n)
//   [@ caller ]- PTR          free; realloc(p, 0)
//   [@ caller ]< OLD          realloc that moved or resized, followed by
//   [@ caller ]> NEW SIZE     its result on the next line
//   [@ caller ]! OLD SIZE     realloc that failed (the old block stays)
//   = Start / = End           mtrace() / muntrace()
// PTR is %p ("(nil)" for NULL) and SIZE %#lx ("0" for zero). The log keeps
// no thread and no time, and cannot tell calloc or memalign from malloc:
// every "+" becomes a malloc of the logged byte count.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>

#include "fa32/traces/import.hpp"
#include "import_text.hpp"

namespace fa32::traces {

using import_detail::fail;
using import_detail::parse_number;
using import_detail::parse_pointer;
using import_detail::trim;

namespace {

// Splits "A B" into the two tokens; nullopt unless there are exactly n.
bool split(std::string_view s, std::string_view* out, int n) {
  for (int i = 0; i < n; ++i) {
    s = trim(s);
    if (s.empty()) return false;
    std::size_t space = s.find(' ');
    out[i] = s.substr(0, space);
    s = space == std::string_view::npos ? std::string_view() : s.substr(space);
  }
  return trim(s).empty();
}

}  // namespace

void import_mtrace(std::istream& in, const std::string& name, ImportBuilder& builder) {
  const std::uint32_t thread = builder.thread(0);
  import_detail::LineReader lines(in, name);
  std::string_view line_text;
  std::uint64_t line_no = 0;
  bool pending_realloc = false;  // a "<" line waits for its ">"
  std::uint64_t pending_old = 0;
  std::uint64_t pending_line = 0;
  while (lines.next(line_text)) {
    line_no = lines.line_no();
    try {
      std::string_view line = trim(line_text);
      if (line.empty()) continue;
      if (line.starts_with("@ ")) {
        // The prefix ends with "[0xADDR] " after the caller's file name,
        // which may itself hold "] " (a directory "build [debug]"); the
        // operation after it never does, so the last one ends the prefix.
        std::size_t end = line.rfind("] ");
        if (end == std::string_view::npos) fail(name, line_no, "caller prefix without \"] \"", line);
        line = trim(line.substr(end + 2));
      }
      if (line.empty()) fail(name, line_no, "caller prefix without an operation", line_text);
      const char kind = line[0];
      if (line.size() > 1 && line[1] != ' ') fail(name, line_no, "unknown mtrace line", line);
      std::string_view rest = line.substr(1);
      if (pending_realloc && kind != '>') {
        fail(name, pending_line, "realloc \"<\" line not followed by its \">\" line", "< ...");
      }
      std::string_view tok[2];
      switch (kind) {
        case '=':
          if (trim(rest) != "Start" && trim(rest) != "End") fail(name, line_no, "unknown marker", line);
          builder.ignored();
          break;
        case '+': {
          if (!split(rest, tok, 2)) fail(name, line_no, "expected \"+ PTR SIZE\"", line);
          auto ptr = parse_pointer(tok[0]);
          auto size = parse_number(tok[1], true);
          if (!ptr || !size) fail(name, line_no, "bad pointer or size", line);
          builder.alloc(Op::malloc, thread, *ptr, *size, 1, 0, 0);
          break;
        }
        case '-': {
          if (!split(rest, tok, 1)) fail(name, line_no, "expected \"- PTR\"", line);
          auto ptr = parse_pointer(tok[0]);
          if (!ptr) fail(name, line_no, "bad pointer", line);
          builder.free(thread, *ptr, 0);
          break;
        }
        case '<': {
          if (!split(rest, tok, 1)) fail(name, line_no, "expected \"< PTR\"", line);
          auto ptr = parse_pointer(tok[0]);
          if (!ptr) fail(name, line_no, "bad pointer", line);
          pending_realloc = true;
          pending_old = *ptr;
          pending_line = line_no;
          builder.realloc_begin(thread, pending_old);
          break;
        }
        case '>': {
          if (!pending_realloc) fail(name, line_no, "realloc \">\" line without its \"<\" line", line);
          if (!split(rest, tok, 2)) fail(name, line_no, "expected \"> PTR SIZE\"", line);
          auto ptr = parse_pointer(tok[0]);
          auto size = parse_number(tok[1], true);
          if (!ptr || !size) fail(name, line_no, "bad pointer or size", line);
          if (*ptr == 0)
            fail(name, line_no, "realloc result is NULL (a failed realloc is logged with \"!\")", line);
          pending_realloc = false;
          builder.realloc_end(thread, pending_old, *ptr, *size, 0);
          break;
        }
        case '!': {
          if (!split(rest, tok, 2)) fail(name, line_no, "expected \"! PTR SIZE\"", line);
          auto ptr = parse_pointer(tok[0]);
          auto size = parse_number(tok[1], true);
          if (!ptr || !size) fail(name, line_no, "bad pointer or size", line);
          builder.realloc_end(thread, *ptr, 0, *size, 0);
          break;
        }
        default:
          fail(name, line_no, "unknown mtrace line", line);
      }
    } catch (const TraceError&) {
      // A log whose program was killed ends wherever stdio's buffer did,
      // mostly inside a line: only the last line, and only if no newline
      // ends it, is taken as cut short, dropped and reported, not an error.
      if (!in.eof()) throw;
      builder.incomplete_last_line();
    }
  }
  if (in.bad()) throw TraceError(name + ": read error after line " + std::to_string(line_no));
  // A killed program's log can end between a "<" and its ">", inside the
  // ">" line or right after the "<" line's newline (glibc writes the log in
  // 512-byte blocks): either way a cut last record, the realloc dropped and
  // its block left live. A "<" followed by anything else failed above.
  if (pending_realloc) builder.incomplete_last_realloc();
}

}  // namespace fa32::traces
