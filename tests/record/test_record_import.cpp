// The mtrace and logalloc importers on hand-written logs: every line kind
// and every error path.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/traces/import.hpp"
#include "fa32/traces/reader.hpp"
#include "record_test_util.hpp"

using fa32::test::Expected;
using fa32::traces::Event;
using fa32::traces::ImportBuilder;
using fa32::traces::ImportStats;
using fa32::traces::Op;

namespace {

class VectorWriter : public fa32::traces::TraceWriter {
 public:
  std::vector<Event> events;
  void write(std::span<const Event> e) override { events.insert(events.end(), e.begin(), e.end()); }
  void finish() override {}
  void flush() override {}
  std::uint64_t events_written() const override { return events.size(); }
};

struct Imported {
  std::vector<Event> events;
  ImportStats stats;
};

Imported import(fa32::traces::ImportFormat format, const std::string& text,
                const fa32::traces::ImportOptions& options = {}) {
  VectorWriter w;
  ImportBuilder b(&w);
  std::istringstream in(text);
  fa32::traces::import_log(format, in, "test.log", b, options);
  Imported out;
  out.stats = b.finish();
  out.events = w.events;
  return out;
}

Imported mtrace(const std::string& text) {
  return import(fa32::traces::ImportFormat::mtrace, text);
}
Imported logalloc(const std::string& text, std::uint64_t pid = 0) {
  fa32::traces::ImportOptions o;
  o.pid = pid;
  return import(fa32::traces::ImportFormat::logalloc, text, o);
}

// The error message of a failing import, "" if it did not fail.
std::string mtrace_error(const std::string& text) {
  try {
    mtrace(text);
  } catch (const fa32::traces::TraceError& e) {
    return e.what();
  }
  return "";
}
std::string logalloc_error(const std::string& text) {
  try {
    logalloc(text);
  } catch (const fa32::traces::TraceError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("mtrace: every line kind, with and without caller prefixes") {
  const std::string log =
      "= Start\n"
      "@ ./prog:[0x401136] + 0x4052a0 0x64\n"
      "@ /lib/libc.so.6:(strdup+0x1a)[0x7f00aa] + 0x405310 0xf0\n"
      "@ [0x401150] < 0x4052a0\n"
      "@ [0x401150] > 0x406000 0x1388\n"
      "< 0x406000\n"
      "> 0x406000 0xa\n"
      "! 0x405310 0xffffffffffff\n"
      "+ 0x407000 0\n"
      "+ (nil) 0x1000000000\n"
      "- 0x405310\n"
      "- 0x999999\n"
      "@ ./prog:(main-0x10)[0x401100] - 0x407000\n"
      "= End\n";
  Imported r = mtrace(log);
  fa32::test::check_sequence(r.events, {
                                           {Op::malloc, "a", 100},
                                           {Op::malloc, "b", 240},
                                           {Op::realloc, "a", 5000},
                                           {Op::realloc, "a", 10},
                                           {Op::malloc, "z", 0},
                                           {Op::free, "b"},
                                           {Op::free, "z"},
                                       });
  CHECK(r.stats.unknown_frees == 1);
  CHECK(r.stats.failed == 2);   // the "!" realloc and the NULL "+"
  CHECK(r.stats.ignored == 2);  // Start and End
  CHECK(r.stats.live_at_end == 1);
  CHECK(r.stats.threads == 1);
  for (const Event& e : r.events) CHECK(e.thread == 1);
}

// glibc prints the caller's file name as loaded, so a program in a
// directory such as "build [debug]" puts "] " inside the prefix: every line
// of its log was "unknown mtrace line".
TEST_CASE("mtrace: a caller file name holding a bracket and a space is read as part of the prefix") {
  Imported r = mtrace(
      "@ ./d [x] y/w:[0x1222] + 0x5648e59d52a0 0x10\n"
      "@ /opt/a] b/lib.so:(f+1a)[0x9e9aa] < 0x5648e59d52a0\n"
      "@ /opt/a] b/lib.so:(f+1a)[0x9e9aa] > 0x5648e59d6000 0x20\n"
      "@ ./d [x] y/w:[0x1416] - 0x5648e59d6000\n");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 16}, {Op::realloc, "a", 32}, {Op::free, "a"}});
}

TEST_CASE("mtrace: a failed realloc leaves the block where it was") {
  Imported r = mtrace("+ 0x1000 0x10\n! 0x1000 0x100\n- 0x1000\n");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 16}, {Op::free, "a"}});
  CHECK(r.stats.failed == 1);
  CHECK(r.stats.unknown_frees == 0);
}

TEST_CASE("mtrace: a realloc of an address never allocated becomes a malloc") {
  Imported r = mtrace("< 0x5000\n> 0x6000 0x20\n- 0x6000\n");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 32}, {Op::free, "a"}});
  CHECK(r.stats.unknown_reallocs == 1);
}

TEST_CASE("mtrace: ids are recycled and an allocation at a live address is counted") {
  Imported r = mtrace("+ 0x1000 0x10\n- 0x1000\n+ 0x2000 0x10\n+ 0x2000 0x20\n");
  REQUIRE(r.events.size() == 4);
  CHECK(r.events[2].id == r.events[0].id);  // recycled after the free
  CHECK(r.events[3].id != r.events[2].id);
  CHECK(r.stats.reused_live == 1);
  CHECK(r.stats.live_at_end == 2);
  CHECK(r.stats.id_bound == 2);
}

TEST_CASE("mtrace: malformed lines are errors naming the line") {
  CHECK(mtrace_error("+ 0x10 0x10\n* 0x10\n").find("test.log:2: unknown mtrace line") != std::string::npos);
  CHECK(mtrace_error("+ 0x10\n").find("test.log:1: expected \"+ PTR SIZE\"") != std::string::npos);
  CHECK(mtrace_error("+ 0x10 zz\n").find("test.log:1: bad pointer or size") != std::string::npos);
  CHECK(mtrace_error("+ 12 0x10\n").find("bad pointer or size") != std::string::npos);
  CHECK(mtrace_error("- \n").find("test.log:1: expected \"- PTR\"") != std::string::npos);
  CHECK(mtrace_error("- 0x10 0x20\n").find("expected \"- PTR\"") != std::string::npos);
  CHECK(mtrace_error("< 0x10\n+ 0x20 0x1\n").find("test.log:1: realloc \"<\" line not followed") !=
        std::string::npos);
  CHECK(mtrace_error("> 0x20 0x1\n").find("test.log:1: realloc \">\" line without") != std::string::npos);
  CHECK(mtrace_error("< 0x10\n> (nil) 0x1\n").find("test.log:2: realloc result is NULL") !=
        std::string::npos);
  CHECK(mtrace_error("@ [0x401150 + 0x10 0x1\n").find("caller prefix") != std::string::npos);
  CHECK(mtrace_error("= Begin\n").find("unknown marker") != std::string::npos);
  CHECK(mtrace_error("! 0x10\n").find("expected \"! PTR SIZE\"") != std::string::npos);
  CHECK(mtrace_error("").empty());
}

// A file that is no text log (a gzip'd log, a trace) failed with its first
// bytes copied raw into the message: control bytes on the user's terminal.
TEST_CASE("error messages show the bytes of the log that are not printable ASCII as hex escapes") {
  const std::string binary(
      "\x01\x8b\x08\x00\x1b[2J\x89"
      "FA32\r\x1a\n",
      16);
  std::string e = mtrace_error(binary);
  CHECK(e.find("test.log:1: unknown mtrace line in \"\\x01\\x8b\\x08\\x00\\x1b[2J\\x89FA32\\x0d\\x1a\"") !=
        std::string::npos);
  e = logalloc_error("1 1 \x1b[2J\x07(8)=0x10\n");
  CHECK(e.find("unknown call \"\\x1b[2J\\x07\"") != std::string::npos);
  e = logalloc_error("1 1 malloc(\x07)=0x10\n");
  CHECK(e.find("bad number \"\\x07\"") != std::string::npos);
  for (const std::string& m : {mtrace_error(binary), logalloc_error(binary), e}) {
    for (unsigned char c : m) CHECK((c >= 0x20 && c < 0x7f));
  }
}

// mtrace writes through stdio: a program killed by a signal leaves the log
// cut where the buffer was, mostly inside a line, and the whole import
// failed on that last line ("bad pointer or size").
TEST_CASE("a log cut inside its last line imports, the cut line dropped and reported") {
  Imported r = mtrace("+ 0x10 0x20\n- 0x10\n+ 0x20 0x");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 32}, {Op::free, "a"}});
  CHECK(r.stats.incomplete_last_line == 1);
  CHECK(r.stats.summary().find("the log ends inside a line, which was dropped") != std::string::npos);
  std::map<std::string, std::string> metadata;
  r.stats.add_to(metadata, "");
  CHECK(metadata["incomplete_last_line"] == "1");

  // Cut between a realloc's two lines: the block stays live.
  r = mtrace("+ 0x10 0x20\n< 0x10\n@ ./a.out:[0x40");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 32}});
  CHECK(r.stats.live_at_end == 1);

  r = logalloc("1 1 malloc(8)=0x10\n1 1 fre");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 8}});
  CHECK(r.stats.incomplete_last_line == 1);

  // A whole log: nothing reported.
  r = mtrace("+ 0x10 0x20\n");
  CHECK(r.stats.incomplete_last_line == 0);
  metadata.clear();
  r.stats.add_to(metadata, "");
  CHECK(metadata.count("incomplete_last_line") == 0);
  // Damage anywhere else, or a bad line that a newline ends, is still an error.
  CHECK(mtrace_error("+ 0x10 0x\n+ 0x20 0x1").find("test.log:1: bad pointer or size") != std::string::npos);
  CHECK(mtrace_error("+ 0x10 0x1\n+ 0x20 0x\n").find("test.log:2: bad pointer or size") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(8)=0x10\n1 1 fre\n").find("test.log:2:") != std::string::npos);
}

// glibc writes the mtrace log in 512-byte blocks: a killed program's log
// can end right after a realloc's "<" line, before its ">". The whole
// import failed ("realloc "<" line at the end of the log without its ">"),
// where a log cut one byte later, inside the ">" line, imported.
TEST_CASE("a log cut right after a realloc's \"<\" line imports, the realloc dropped and reported") {
  for (const char* log :
       {"+ 0x10 0x20\n+ 0x30 0x8\n- 0x30\n< 0x10\n", "+ 0x10 0x20\n+ 0x30 0x8\n- 0x30\n< 0x10",
        "+ 0x10 0x20\n+ 0x30 0x8\n- 0x30\n< 0x10\n\n", "+ 0x10 0x20\n+ 0x30 0x8\n- 0x30\n< 0x10\n> 0x4"}) {
    CAPTURE(log);
    Imported r = mtrace(log);
    fa32::test::check_sequence(r.events, {{Op::malloc, "a", 32}, {Op::malloc, "b", 8}, {Op::free, "b"}});
    CHECK(r.stats.live_at_end == 1);  // the block the realloc would have moved
    CHECK(r.stats.incomplete_last_line == 1);
    CHECK(r.stats.summary().find(
              "the log ends inside a realloc, after its \"<\" line: the realloc was dropped") !=
          std::string::npos);
    std::map<std::string, std::string> metadata;
    r.stats.add_to(metadata, "");
    CHECK(metadata["incomplete_last_line"] == "1");
  }
  // A "<" without its ">" anywhere but at the end is still an error.
  CHECK(mtrace_error("< 0x10\n+ 0x20 0x1\n").find("test.log:1: realloc \"<\" line not followed") !=
        std::string::npos);
  CHECK(mtrace_error("+ 0x10 0x1\n< 0x10\n- 0x10\n").find("test.log:2: realloc \"<\" line not followed") !=
        std::string::npos);
}

TEST_CASE("logalloc raw: every call, threads renumbered, other processes skipped") {
  const std::string log =
      "18545 18545 malloc(32)=0x7f90495120e0\n"
      "18545 18546 calloc(3,148)=0x7f9049537480\n"
      "18545 18545 realloc(0x7f90495120e0,64)=0x7f9049536680\n"
      "18545 18545 posix_memalign(256,240)=0x7f9049583300\n"
      "18545 18546 aligned_alloc(64,128)=0x7f9049584000\n"
      "18545 18546 memalign(32,16)=0x7f9049585000\n"
      "18545 18545 valloc(100)=0x7f9049586000\n"
      "18545 18545 jemalloc_stats()\n"
      "18600 18600 malloc(8)=0x1234\n"
      "18545 18545 realloc(0x0,12)=0x7f9049587000\n"
      "18545 18545 realloc(0x7f9049587000,0)=0x0\n"
      "18545 18545 free(0x7f9049536680)\n"
      "18545 18545 free(0xdead)\n"
      "18545 18545 malloc(99)=(nil)\n";
  Imported r = logalloc(log);
  fa32::test::check_sequence(r.events, {
                                           {Op::malloc, "a", 32},
                                           {Op::calloc, "b", 148, 3},
                                           {Op::realloc, "a", 64},
                                           {Op::aligned_alloc, "c", 240, 1, 256},
                                           {Op::aligned_alloc, "d", 128, 1, 64},
                                           {Op::aligned_alloc, "e", 16, 1, 32},
                                           {Op::aligned_alloc, "f", 100, 1, 4096},
                                           {Op::malloc, "g", 12},
                                           {Op::free, "g"},
                                           {Op::free, "a"},
                                       });
  CHECK(r.events[0].thread == 1);
  CHECK(r.events[1].thread == 2);
  CHECK(r.events[2].thread == 1);
  CHECK(r.stats.unknown_frees == 1);
  CHECK(r.stats.failed == 1);
  CHECK(r.stats.ignored == 2);  // the stats marker and the other process
  CHECK(r.stats.threads == 2);
}

TEST_CASE("logalloc: --pid picks the process") {
  Imported r = logalloc("1 1 malloc(8)=0x10\n2 5 malloc(16)=0x10\n2 5 free(0x10)\n", 2);
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 16}, {Op::free, "a"}});
  CHECK(r.stats.ignored == 1);
}

// Lines of other processes were counted only in the unreported "ignored",
// and a --pid that no line had gave an empty trace with exit 0.
TEST_CASE("logalloc: other processes are reported, a --pid with no line is an error") {
  Imported r = logalloc("1 1 malloc(8)=0x10\n2 5 malloc(16)=0x10\n2 5 free(0x10)\n");
  CHECK(r.events.size() == 1);
  CHECK(r.stats.summary().find("2 line(s) of other processes skipped") != std::string::npos);
  std::map<std::string, std::string> metadata;
  r.stats.add_to(metadata, "");
  CHECK(metadata["other_process_lines"] == "2");
  // An mtrace log has one process: no key, no words for it.
  Imported m = mtrace("+ 0x10 0x20\n");
  metadata.clear();
  m.stats.add_to(metadata, "");
  CHECK(metadata.count("other_process_lines") == 0);
  CHECK(m.stats.summary().find("other processes") == std::string::npos);

  std::string err;
  try {
    logalloc("1 1 malloc(8)=0x10\n2 5 malloc(16)=0x10\n", 7);
  } catch (const fa32::traces::TraceError& e) {
    err = e.what();
  }
  CHECK(err.find("test.log: process 7 has no line in the log") != std::string::npos);
}

// A first line of pid 0 used to leave the process unchosen (0 meant "not
// yet"), so the next process's lines were imported as the same one.
TEST_CASE("logalloc: a first line of pid 0 chooses process 0") {
  Imported r = logalloc("0 1 malloc(8)=0x10\n5 1 malloc(16)=0x20\n5 1 free(0x10)\n");
  fa32::test::check_sequence(r.events, {{Op::malloc, "a", 8}});
  std::map<std::string, std::string> metadata;
  r.stats.add_to(metadata, "");
  CHECK(metadata["other_process_lines"] == "2");
}

TEST_CASE("logalloc munged: slot numbers") {
  Imported r =
      logalloc("1 1 malloc(32)=#1\n1 1 realloc(#1,64)=#1\n1 2 malloc(8)=#2\n1 1 free(#1)\n1 2 free(#3)\n");
  fa32::test::check_sequence(
      r.events, {{Op::malloc, "a", 32}, {Op::realloc, "a", 64}, {Op::malloc, "b", 8}, {Op::free, "a"}});
  CHECK(r.stats.unknown_frees == 1);
}

TEST_CASE("logalloc: malformed lines are errors naming the line") {
  CHECK(logalloc_error("x 1 malloc(3)=0x1\n").find("test.log:1: expected \"PID TID call(...)\"") !=
        std::string::npos);
  CHECK(logalloc_error("1 1 malloc(3)=0x1\n1 1 malloc 3\n").find("test.log:2: expected \"call(ARGS)\"") !=
        std::string::npos);
  CHECK(logalloc_error("1 1 mallocx(3)=0x1\n").find("unknown call \"mallocx\"") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(3)\n").find("missing \"=RESULT\"") != std::string::npos);
  CHECK(logalloc_error("1 1 free(0x1)=0x2\n").find("unexpected \"=RESULT\"") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(3,4)=0x1\n").find("wrong number of arguments for malloc") !=
        std::string::npos);
  CHECK(logalloc_error("1 1 calloc(1,2,3)=0x1\n").find("too many arguments") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(q)=0x1\n").find("bad number \"q\"") != std::string::npos);
  CHECK(logalloc_error("1 1 free(zz)\n").find("bad pointer \"zz\"") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(3)=zz\n").find("bad result pointer") != std::string::npos);
  CHECK(logalloc_error("1 1 malloc(3) 0x1\n").find("expected \"=RESULT\" after the call") !=
        std::string::npos);
}

TEST_CASE("import command: a file becomes a readable trace with counts in its header") {
  const std::string dir = fa32::test::fresh_dir("import_cmd");
  const std::string log = dir + "/m.log";
  {
    std::ofstream f(log);
    f << "= Start\n+ 0x10 0x20\n- 0x99\n< 0x10\n> 0x30 0x40\n= End\n";
  }
  const std::string out = dir + "/m.fa32";
  REQUIRE(fa32::test::run_program({FA32_BIN, "import", "--from", "mtrace", log, "-o", out}, {},
                                  dir + "/log") == 0);
  fa32::test::Trace t = fa32::test::read_trace(out);
  CHECK(t.header.event_count == 2);
  CHECK(t.header.metadata.at("unknown_frees") == "1");
  fa32::test::check_sequence(t.events, {{Op::malloc, "a", 32}, {Op::realloc, "a", 64}});
  // Bad input: exit 2 and a message naming the file and line.
  {
    std::ofstream f(log);
    f << "+ 0x10 0x20\nbogus\n";
  }
  const std::string errlog = dir + "/err.log";
  CHECK(fa32::test::run_program({FA32_BIN, "import", "--from", "mtrace", log, "-o", out}, {}, errlog) == 2);
  std::ifstream e(errlog);
  std::string text((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  CHECK(text.find("m.log:2: unknown mtrace line") != std::string::npos);
  CHECK(fa32::test::run_program({FA32_BIN, "import", "--from", "nope", log}, {}, errlog) == 2);
  CHECK(fa32::test::run_program({FA32_BIN, "import", "--from", "mtrace", dir + "/missing.log"}, {}, errlog) ==
        2);
}

TEST_CASE("AddressMap agrees with std::map under random insert/erase churn") {
  fa32::traces::AddressMap m;
  std::map<std::uint64_t, std::uint64_t> ref;
  std::uint64_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    // Few distinct keys so erases hit and probe runs collide; never 0.
    const std::uint64_t key = ((x >> 33) % 5000 + 1) * 16;
    if ((x >> 20) % 3 == 0) {
      std::uint64_t id = 0;
      const bool had = m.erase(key, &id);
      auto it = ref.find(key);
      REQUIRE(had == (it != ref.end()));
      if (had) {
        CHECK(id == it->second);
        ref.erase(it);
      }
    } else {
      CHECK(m.insert(key, static_cast<std::uint64_t>(i)) == (ref.count(key) == 0));
      ref[key] = static_cast<std::uint64_t>(i);
    }
    REQUIRE(m.size() == ref.size());
  }
  for (const auto& [key, id] : ref) {
    std::uint64_t* found = m.find(key);
    REQUIRE(found != nullptr);
    CHECK(*found == id);
  }
  CHECK(m.find(16 * 6000) == nullptr);
}

// mozjemalloc's memalign takes an alignment of 0, one below a pointer's size
// or (unchecked in release builds) one that is not a power of two: imported
// as logged, such a line gave a trace fa32 validate rejected (bad-alignment).
TEST_CASE("logalloc: an alignment that is 0 or not a power of two is the one the allocator used") {
  Imported r = logalloc(
      "1 1 memalign(0,16)=0x1000\n"
      "1 1 memalign(24,16)=0x2000\n"
      "1 1 aligned_alloc(4,16)=0x3000\n"
      "1 1 memalign(18446744073709551615,16)=0x0\n");
  fa32::test::check_sequence(r.events, {
                                           {Op::aligned_alloc, "a", 16, 1, 1},
                                           {Op::aligned_alloc, "b", 16, 1, 32},
                                           {Op::aligned_alloc, "c", 16, 1, 4},
                                       });
  CHECK(r.stats.failed == 1);
  CHECK(logalloc_error("1 1 memalign(18446744073709551615,16)=0x1000\n")
            .find("test.log:1: alignment above 2^63") != std::string::npos);
}

// calloc fails when COUNT * SIZE overflows; a log line saying it returned a
// block was imported as it stood, exit 0, into a trace fa32 validate then
// rejected (calloc-overflow).
TEST_CASE("logalloc: a calloc whose COUNT * SIZE overflows and returned a block is a malformed line") {
  CHECK(logalloc_error("1 1 malloc(8)=0x10\n1 1 calloc(4294967296,4294967296)=0x20\n")
            .find("test.log:2: calloc COUNT * SIZE overflows 64 bits") != std::string::npos);
  // Failed, as calloc does: dropped and counted, not an error.
  Imported r = logalloc("1 1 calloc(4294967296,4294967296)=0x0\n1 1 calloc(4294967295,4294967297)=0x20\n");
  CHECK(r.stats.failed == 1);
  fa32::test::check_sequence(r.events, {{Op::calloc, "a", 4294967297, 4294967295}});
}
