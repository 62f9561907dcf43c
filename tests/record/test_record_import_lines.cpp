// The importers cap a line at 1 MiB, as the trace readers do: they read
// with std::getline, which grew its string until a newline came, so input
// without one (`head -c 100M /dev/zero | fa32 import -`) took memory
// without bound and then imported as "0 events, the last line cut".
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "fa32/traces/import.hpp"
#include "record_test_util.hpp"

using fa32::traces::ImportFormat;

namespace {

constexpr std::size_t kMaxLine = 1 << 20;

class CountingWriter : public fa32::traces::TraceWriter {
 public:
  std::uint64_t n = 0;
  void write(std::span<const fa32::traces::Event> e) override { n += e.size(); }
  void finish() override {}
  void flush() override {}
  std::uint64_t events_written() const override { return n; }
};

// The events imported, or the error message.
std::string import_result(ImportFormat format, const std::string& text) {
  CountingWriter w;
  fa32::traces::ImportBuilder b(&w);
  std::istringstream in(text);
  try {
    fa32::traces::import_log(format, in, "test.log", b);
    b.finish();
  } catch (const fa32::traces::TraceError& e) {
    return e.what();
  }
  return std::to_string(w.n) + " events";
}

// An mtrace line of exactly n bytes (spaces pad it; trimming drops them).
std::string mtrace_line(std::size_t n) {
  std::string line = "+ 0x10 0x20";
  return line + std::string(n - line.size(), ' ');
}

}  // namespace

TEST_CASE("a line longer than 1 MiB is an error naming it, in both importers") {
  const std::string too_long = "the line is longer than 1 MiB (1048576 bytes) without a newline";
  // No newline at all: the error, not "the last line was cut".
  CHECK(import_result(ImportFormat::mtrace, std::string(3 * kMaxLine, '\0')) ==
        "test.log:1: " + too_long + ": not a text log?");
  CHECK(import_result(ImportFormat::logalloc, "1 1 malloc(8)=0x10\n" + std::string(kMaxLine + 1, 'x'))
            .find("test.log:2: " + too_long) == 0);
  // Followed by a newline and more lines: still the error.
  CHECK(import_result(ImportFormat::mtrace, mtrace_line(kMaxLine + 1) + "\n- 0x10\n").find("test.log:1: ") ==
        0);
  // Exactly 1 MiB is a line, with a newline or at the end.
  CHECK(import_result(ImportFormat::mtrace, mtrace_line(kMaxLine) + "\n- 0x10\n") == "2 events");
  CHECK(import_result(ImportFormat::mtrace, "- 0x99\n" + mtrace_line(kMaxLine)) == "1 events");
  CHECK(import_result(ImportFormat::mtrace, "\n\n+ 0x10 0x20\n\n") == "1 events");
}

TEST_CASE("import command: a log without newlines is exit 2 with the line named") {
  const std::string dir = fa32::test::fresh_dir("import_long_line");
  const std::string log = dir + "/zeros.log";
  {
    std::ofstream f(log, std::ios::binary);
    f << std::string(4 * kMaxLine, '\0');
  }
  const std::string errlog = dir + "/err.log";
  CHECK(fa32::test::run_program({FA32_BIN, "import", "--from", "logalloc", log, "-o", dir + "/z.fa32"}, {},
                                errlog) == 2);
  std::ifstream e(errlog);
  std::string text((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  CHECK(text.find("zeros.log:1: the line is longer than 1 MiB") != std::string::npos);
}

// A gzip'd log (big logs get compressed) failed as a malformed first line,
// or as a line longer than 1 MiB, saying nothing of gzip.
TEST_CASE("a gzip-compressed log is an error saying so, in both importers") {
  std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  for (const std::string& log : {gz + "\x01\x02\n+ 0x10 0x10\n", gz + std::string(2 << 20, 'x')}) {
    for (auto format : {fa32::traces::ImportFormat::mtrace, fa32::traces::ImportFormat::logalloc}) {
      fa32::traces::ImportBuilder b(nullptr);
      std::istringstream in(log);
      CHECK_THROWS_WITH_AS(fa32::traces::import_log(format, in, "app.log.gz", b),
                           doctest::Contains("app.log.gz:1: the log is gzip-compressed: decompress it first"),
                           fa32::traces::TraceError);
    }
  }
}

// A directory named as the log opened, then failed its first read after the
// output was created: exit 2 with "read error after line 0", and a truncated
// trace left behind.
TEST_CASE("import command: a directory as the log is exit 2 saying so, and writes nothing") {
  const std::string dir = fa32::test::fresh_dir("import_directory");
  const std::string out = dir + "/d.fa32";
  const std::string errlog = dir + "/err.log";
  CHECK(fa32::test::run_program({FA32_BIN, "import", "--from", "mtrace", dir, "-o", out}, {}, errlog) == 2);
  std::ifstream e(errlog);
  std::string text((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  CHECK(text.find(dir + " is a directory, not a log") != std::string::npos);
  CHECK_FALSE(std::ifstream(out).good());
}

// --pid picks a process of a logalloc log; given with --from mtrace it was
// ignored, exit 0, the whole log imported as if it had been honoured.
TEST_CASE("import command: --pid with --from mtrace is a usage error") {
  const std::string dir = fa32::test::fresh_dir("import_pid_mtrace");
  const std::string log = dir + "/app.mtrace";
  std::ofstream(log) << "+ 0x10 0x20\n";
  const std::string errlog = dir + "/err.log";
  CHECK(fa32::test::run_program(
            {FA32_BIN, "import", "--from", "mtrace", "--pid", "5", log, "-o", dir + "/t.fa32"}, {}, errlog) ==
        2);
  std::ifstream e(errlog);
  std::string text((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  CHECK(text.find("--pid is for --from logalloc") != std::string::npos);
  CHECK_FALSE(std::ifstream(dir + "/t.fa32").good());
}
