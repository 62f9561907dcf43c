// Mozilla logalloc text logs (memory/replace/logalloc), one call per line:
//   PID TID malloc(SIZE)=PTR          PID TID calloc(COUNT,SIZE)=PTR
//   PID TID realloc(PTR,SIZE)=PTR     PID TID free(PTR)
//   PID TID posix_memalign(ALIGN,SIZE)=PTR, aligned_alloc(A,S)=P, memalign(A,S)=P, valloc(SIZE)=PTR
//   PID TID jemalloc_stats()          a marker, ignored
// Sizes are decimal; pointers are hexadecimal ("0x7f90495120e0") in the raw
// log and "#SLOT" in a log rewritten by logalloc_munge.py (slot numbers are
// already recycled ids, taken here as if they were addresses).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <bit>
#include <string>

#include "fa32/traces/import.hpp"
#include "import_text.hpp"

namespace fa32::traces {

using import_detail::fail;
using import_detail::parse_number;
using import_detail::trim;

namespace {

constexpr std::uint64_t kSlotBit = std::uint64_t{1} << 63;  // munged slots never collide with addresses
constexpr std::uint64_t kPageSize = 4096;  // valloc's alignment on the platforms logalloc runs

std::optional<std::uint64_t> pointer(std::string_view s) {
  if (s == "(nil)" || s == "0" || s == "#0") return 0;
  if (s.starts_with("#")) {
    auto slot = parse_number(s.substr(1), false);
    if (!slot || *slot >= kSlotBit) return std::nullopt;
    return *slot | kSlotBit;
  }
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  return parse_number(s, true);
}

// The alignment the allocator used: mozjemalloc's memalign takes 0 or one
// below a pointer's size (and, unchecked in release builds, one that is not
// a power of two), which a trace cannot hold. As fa32 record does, 0 becomes
// 1 and one that is not a power of two the next one up; past 2^63 there is
// none (nullopt).
std::optional<std::uint64_t> effective_alignment(std::uint64_t alignment) {
  if (alignment <= 1) return 1;
  if (alignment > (std::uint64_t{1} << 63)) return std::nullopt;
  return std::bit_ceil(alignment);
}

std::string_view next_token(std::string_view& s) {
  s = trim(s);
  std::size_t space = s.find(' ');
  std::string_view tok = s.substr(0, space);
  s = space == std::string_view::npos ? std::string_view() : s.substr(space);
  return tok;
}

}  // namespace

void import_logalloc(std::istream& in, const std::string& name, ImportBuilder& builder,
                     const ImportOptions& options) {
  // Not chosen yet until the first line, when no pid was asked for: a
  // flag, not pid 0, so that a line of pid 0 cannot leave it unchosen and
  // let the next process's lines in as the same one.
  std::uint64_t wanted_pid = options.pid;
  bool pid_chosen = options.pid != 0;
  import_detail::LineReader lines(in, name);
  std::string_view line_text;
  std::uint64_t line_no = 0;
  bool wanted_seen = false;
  while (lines.next(line_text)) {
    line_no = lines.line_no();
    try {
      std::string_view line = trim(line_text);
      if (line.empty()) continue;
      std::string_view rest = line;
      auto pid = parse_number(next_token(rest), false);
      auto tid = parse_number(next_token(rest), false);
      rest = trim(rest);
      if (!pid || !tid) fail(name, line_no, "expected \"PID TID call(...)\"", line);
      if (!pid_chosen) {
        wanted_pid = *pid;
        pid_chosen = true;
      }
      if (*pid != wanted_pid) {
        builder.other_process();
        continue;
      }
      wanted_seen = true;
      std::size_t open = rest.find('(');
      std::size_t close = rest.find(')');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        fail(name, line_no, "expected \"call(ARGS)\"", line);
      }
      std::string_view func = rest.substr(0, open);
      std::string_view args_text = rest.substr(open + 1, close - open - 1);
      std::string_view after = trim(rest.substr(close + 1));
      std::optional<std::uint64_t> result;
      if (!after.empty()) {
        if (after[0] != '=') fail(name, line_no, "expected \"=RESULT\" after the call", line);
        result = pointer(trim(after.substr(1)));
        if (!result) fail(name, line_no, "bad result pointer", line);
      }
      std::string_view args[2];
      int nargs = 0;
      while (!trim(args_text).empty()) {
        if (nargs == 2) fail(name, line_no, "too many arguments", line);
        std::size_t comma = args_text.find(',');
        args[nargs++] = trim(args_text.substr(0, comma));
        args_text = comma == std::string_view::npos ? std::string_view() : args_text.substr(comma + 1);
      }
      auto need = [&](int n, bool has_result) {
        if (nargs != n)
          fail(name, line_no, "wrong number of arguments for " + import_detail::shown(func), line);
        if (has_result != result.has_value()) {
          fail(name, line_no, has_result ? "missing \"=RESULT\"" : "unexpected \"=RESULT\"", line);
        }
      };
      auto size_arg = [&](int i) {
        auto v = parse_number(args[i], false);
        if (!v) fail(name, line_no, "bad number \"" + import_detail::shown(args[i]) + "\"", line);
        return *v;
      };
      auto ptr_arg = [&](int i) {
        auto v = pointer(args[i]);
        if (!v) fail(name, line_no, "bad pointer \"" + import_detail::shown(args[i]) + "\"", line);
        return *v;
      };
      const std::uint32_t thread = builder.thread(*tid);
      if (func == "malloc") {
        need(1, true);
        builder.alloc(Op::malloc, thread, *result, size_arg(0), 1, 0, 0);
      } else if (func == "calloc") {
        need(2, true);
        const std::uint64_t count = size_arg(0);
        const std::uint64_t size = size_arg(1);
        // calloc fails when COUNT * SIZE overflows: a block for it is no
        // call a program made (a corrupt line), and no valid trace event.
        std::uint64_t bytes = 0;
        if (*result != 0 && __builtin_mul_overflow(count, size, &bytes)) {
          fail(name, line_no, "calloc COUNT * SIZE overflows 64 bits, yet it returned a block", line);
        }
        builder.alloc(Op::calloc, thread, *result, size, count, 0, 0);
      } else if (func == "realloc") {
        need(2, true);
        std::uint64_t old = ptr_arg(0);
        std::uint64_t size = size_arg(1);
        if (old == 0) {
          builder.alloc(Op::malloc, thread, *result, size, 1, 0, 0);
        } else if (*result == 0 && size == 0) {
          builder.free(thread, old, 0);
        } else {
          builder.realloc(thread, old, *result, size, 0);
        }
      } else if (func == "free") {
        need(1, false);
        builder.free(thread, ptr_arg(0), 0);
      } else if (func == "posix_memalign" || func == "aligned_alloc" || func == "memalign") {
        need(2, true);
        // A failed call (NULL) is dropped, whatever alignment it asked for.
        const auto alignment = effective_alignment(size_arg(0));
        if (!alignment && *result != 0) fail(name, line_no, "alignment above 2^63", line);
        builder.alloc(Op::aligned_alloc, thread, *result, size_arg(1), 1, alignment.value_or(0), 0);
      } else if (func == "valloc") {
        need(1, true);
        builder.alloc(Op::aligned_alloc, thread, *result, size_arg(0), 1, kPageSize, 0);
      } else if (func == "jemalloc_stats") {
        need(0, false);
        builder.ignored();
      } else {
        fail(name, line_no, "unknown call \"" + import_detail::shown(func) + "\"", line);
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
  // Asked for by number, a process with no line is a mistake (a pid of
  // another run, a typo), not an empty trace.
  if (options.pid != 0 && !wanted_seen) {
    throw TraceError(name + ": process " + std::to_string(options.pid) + " has no line in the log");
  }
}

std::optional<ImportFormat> import_format_from_name(std::string_view name) {
  if (name == "mtrace") return ImportFormat::mtrace;
  if (name == "logalloc") return ImportFormat::logalloc;
  return std::nullopt;
}

std::string_view import_format_name(ImportFormat f) {
  switch (f) {
    case ImportFormat::mtrace:
      return "mtrace";
    case ImportFormat::logalloc:
      return "logalloc";
  }
  return "unknown";
}

void import_log(ImportFormat format, std::istream& in, const std::string& name, ImportBuilder& builder,
                const ImportOptions& options) {
  switch (format) {
    case ImportFormat::mtrace:
      import_mtrace(in, name, builder);
      return;
    case ImportFormat::logalloc:
      import_logalloc(in, name, builder, options);
      return;
  }
}

}  // namespace fa32::traces
