// `fa32 record` end to end: programs of ours with known allocation
// sequences are recorded by the real binary and their traces read back.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "record_test_util.hpp"

using fa32::test::Expected;
using fa32::traces::Event;
using fa32::traces::Op;

namespace {

constexpr std::uint64_t kBegin = 777001;
constexpr std::uint64_t kEnd = 777002;

// known_sequence.c, call by call.
const std::vector<Expected> kKnownSequence = {
    {Op::malloc, "m1", kBegin},
    {Op::free, "m1"},
    {Op::malloc, "a", 100},
    {Op::calloc, "b", 24, 10},
    {Op::realloc, "a", 5000},
    {Op::aligned_alloc, "d", 200, 1, 64},
    {Op::aligned_alloc, "e", 300, 1, 128},
    {Op::aligned_alloc, "f", 512, 1, 256},
    {Op::aligned_alloc, "g", 1000, 1, 4096},
    {Op::free, "b"},
    {Op::realloc, "a", 10},
    {Op::malloc, "h", 33},
    {Op::free, "h"},
    {Op::malloc, "leak", 4242},
    {Op::malloc, "z", 0},
    {Op::free, "z"},
    {Op::free, "d"},
    {Op::free, "e"},
    {Op::free, "f"},
    {Op::free, "g"},
    {Op::free, "a"},
    {Op::malloc, "m2", kEnd},
    {Op::free, "m2"},
};

struct Recording {
  int exit_code = -1;
  std::string dir;
  std::string trace;
};

Recording record(const std::string& test, const std::vector<std::string>& program,
                 const std::vector<std::string>& options = {}, const std::vector<std::string>& env = {}) {
  Recording r;
  r.dir = fa32::test::fresh_dir(test);
  r.trace = r.dir + "/trace.fa32";
  std::vector<std::string> argv = {FA32_BIN, "record", "-o", r.trace};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  argv.insert(argv.end(), program.begin(), program.end());
  r.exit_code = fa32::test::run_program(argv, env, r.dir + "/log.txt");
  return r;
}

std::uint64_t meta(const fa32::test::Trace& t, const std::string& key) {
  auto it = t.header.metadata.find(key);
  REQUIRE_MESSAGE(it != t.header.metadata.end(), "metadata " << key << " missing");
  return std::stoull(it->second);
}

}  // namespace

TEST_CASE("a known sequence is recorded exactly, with the exit status passed through") {
  struct Mode {
    const char* arg;
    int exit_code;
  };
  for (Mode m : {Mode{"return", 7}, Mode{"exit", 6}, Mode{"_exit", 5}, Mode{"segv", 128 + 11},
                 Mode{"kill", 128 + 9}}) {
    CAPTURE(m.arg);
    Recording r = record(std::string("known_") + m.arg, {PROG_KNOWN_SEQUENCE, m.arg});
    CHECK(r.exit_code == m.exit_code);
    fa32::test::Trace t = fa32::test::read_trace(r.trace);
    CHECK(t.header.event_count == t.events.size());
    CHECK(meta(t, "exit_code") == static_cast<std::uint64_t>(m.exit_code));
    CHECK(t.header.metadata.at("command").find("known_sequence") != std::string::npos);
    CHECK(meta(t, "pid") > 0);
    CHECK(meta(t, "record.torn_records") == 0);
    auto window = fa32::test::between_markers(t.events, kBegin, kEnd);
    fa32::test::check_sequence(window, kKnownSequence);
    auto after = fa32::test::between_markers(t.events, kEnd, 777003);
    fa32::test::check_sequence(after, {{Op::malloc, "m2", kEnd},
                                       {Op::free, "m2"},
                                       {Op::malloc, "r", 120},
                                       {Op::realloc, "r", 200},
                                       {Op::free, "r"},
                                       {Op::malloc, "m3", 777003},
                                       {Op::free, "m3"}});
    for (const Event& e : window) CHECK(e.thread == 1);
    // Times are on one monotonic clock: never decreasing in a single thread.
    for (std::size_t i = 1; i < t.events.size(); ++i) CHECK(t.events[i].time_ns >= t.events[i - 1].time_ns);
    CHECK_FALSE(std::filesystem::exists(r.trace + ".1"));
    CHECK(fa32::test::run_program({FA32_BIN, "replay", "--verify", r.trace}, {}, r.dir + "/check.txt") == 0);
  }
}

TEST_CASE("alignments glibc rounds up are recorded as used, failed calls dropped: the trace replays") {
  // memalign(24) and memalign(0) were recorded with alignments 24 and 0,
  // which no trace may hold: validate and replay rejected the recording.
  Recording r = record("alloc_api", {PROG_ALLOC_API});
  REQUIRE(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  fa32::test::check_sequence(fa32::test::between_markers(t.events, 888001, 888002),
                             {{Op::malloc, "m1", 888001},
                              {Op::free, "m1"},
                              {Op::aligned_alloc, "a", 100, 1, 32},
                              {Op::aligned_alloc, "b", 50, 1, 1},
                              {Op::malloc, "s", 6},
                              {Op::free, "s"},
                              {Op::free, "b"},
                              {Op::free, "a"},
                              {Op::malloc, "m2", 888002},
                              {Op::free, "m2"}});
  // calloc, malloc and the two reallocarray overflows (returned NULL, so
  // counted as docs/record.md says); posix_memalign's EINVAL is no call.
  CHECK(meta(t, "failed_allocations") == 4);
  CHECK(fa32::test::run_program({FA32_BIN, "validate", r.trace}, {}, r.dir + "/check.txt") == 0);
  CHECK(fa32::test::run_program({FA32_BIN, "replay", "--verify", r.trace}, {}, r.dir + "/check.txt") == 0);
}

TEST_CASE("a program that allocates nothing gives an empty, valid trace") {
  Recording r = record("no_alloc", {PROG_NO_ALLOC});
  CHECK(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(t.events.empty());
  CHECK(meta(t, "events") == 0);
  CHECK(meta(t, "exit_code") == 0);
}

TEST_CASE("a statically linked program (no preloading possible) gives an empty, valid trace and a warning") {
  Recording r = record("static", {PROG_STATIC});
  CHECK(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(t.events.empty());
  CHECK(meta(t, "record.images") == 0);
  CHECK(meta(t, "events") == 0);
  std::ifstream log(r.dir + "/log.txt");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("did not load the recorder") != std::string::npos);
}

TEST_CASE("four threads under contention: per-thread sequences kept, nothing lost or duplicated") {
  constexpr int kThreads = 4;
  constexpr long kIterations = 33334;  // 3 events each: about 100k events per thread
  // One arena and no per-thread cache: a block freed by one thread is at
  // once available to the others, so a recorder that logged a free after
  // the real free (or a realloc's old address after the call) would show
  // addresses allocated again before their free.
  Recording r = record("threads", {PROG_THREADS, std::to_string(kIterations)}, {},
                       {"GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1"});
  REQUIRE(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(meta(t, "record.torn_records") == 0);
  CHECK(meta(t, "unknown_frees") == 0);
  CHECK(meta(t, "reused_live_addresses") == 0);
  CHECK(meta(t, "unknown_reallocs") == 0);

  // Worker sequences, recognised by the size encoding (size - 1) % 4 == t.
  std::map<std::uint32_t, int> worker_of_thread;   // trace thread -> worker index
  std::map<int, long> next_index;                  // worker -> iterations seen
  std::map<std::uint64_t, std::uint32_t> pending;  // id -> thread that malloc'd it, awaiting its realloc
  std::set<std::uint64_t> live;
  std::uint64_t frees = 0, allocs = 0;
  for (const Event& e : t.events) {
    if (e.op == Op::free) {
      CHECK(live.erase(e.id) == 1);
      ++frees;
      continue;
    }
    if (e.op != Op::realloc) {
      CHECK(live.insert(e.id).second);
      ++allocs;
    }
    if (e.thread == 1) continue;  // the main thread: startup and final frees
    if (e.op == Op::malloc) {
      const int w = static_cast<int>((e.size - 1) % kThreads);
      auto [it, inserted] = worker_of_thread.try_emplace(e.thread, w);
      REQUIRE_MESSAGE(it->second == w, fa32::test::describe(e));
      const long i = next_index[w];
      const std::uint64_t k = static_cast<std::uint64_t>(i % 8);
      REQUIRE_MESSAGE(e.size == 4 * k + static_cast<std::uint64_t>(w) + 1, "worker " << w << " index " << i);
      pending[e.id] = e.thread;
    } else if (e.op == Op::realloc) {
      REQUIRE(pending.count(e.id) == 1);
      CHECK(pending[e.id] == e.thread);
      pending.erase(e.id);
      const int w = worker_of_thread.at(e.thread);
      const long i = next_index[w]++;
      const std::uint64_t k = static_cast<std::uint64_t>(i % 8);
      REQUIRE_MESSAGE(e.size == 4 * k + static_cast<std::uint64_t>(w) + 2001,
                      "worker " << w << " index " << i);
    }
  }
  CHECK(worker_of_thread.size() == kThreads);
  for (int w = 0; w < kThreads; ++w) CHECK(next_index[w] == kIterations);
  CHECK(pending.empty());
  // Every worker block was freed (in some thread) by the end.
  CHECK(frees + live.size() == allocs);
  CHECK(fa32::test::run_program({FA32_BIN, "validate", r.trace}, {}, r.dir + "/check.txt") == 0);
  CHECK(fa32::test::run_program({FA32_BIN, "replay", "--verify", r.trace}, {}, r.dir + "/check.txt") == 0);
}

namespace {

// The sizes of the fork programs' marker blocks, in trace order: 1001 and
// 1002 the parent's, 2001 and 2002 the child's.
std::vector<std::uint64_t> fork_marker_sizes(const fa32::test::Trace& t) {
  std::vector<std::uint64_t> sizes;
  for (const Event& e : t.events) {
    if (e.size == 1001 || e.size == 1002 || e.size == 2001 || e.size == 2002) sizes.push_back(e.size);
  }
  return sizes;
}

// The child processes' traces (--follow-forks) beside the main one.
std::vector<std::string> child_traces(const std::string& dir) {
  std::vector<std::string> children;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("trace.fa32."))
      children.push_back(entry.path().string());
  }
  return children;
}

}  // namespace

TEST_CASE("without --follow-forks only the parent is recorded, all of it") {
  Recording r = record("fork_default", {PROG_FORKS, "fork"});
  CHECK(r.exit_code == 9);
  CHECK(fork_marker_sizes(fa32::test::read_trace(r.trace)) == std::vector<std::uint64_t>{1001, 1002});
  CHECK(child_traces(r.dir).empty());
}

TEST_CASE("--follow-forks writes one trace per process") {
  Recording r = record("fork_follow", {PROG_FORKS, "fork"}, {"--follow-forks"});
  CHECK(r.exit_code == 9);
  fa32::test::Trace parent = fa32::test::read_trace(r.trace);
  const std::vector<std::string> children = child_traces(r.dir);
  REQUIRE(children.size() == 1);
  fa32::test::Trace child = fa32::test::read_trace(children[0]);
  std::vector<Event> child_events;
  for (const Event& e : child.events) {
    if (e.size == 2001 || e.size == 2002) child_events.push_back(e);
    CHECK(e.size != 1001);  // the parent's block predates the child's recording
  }
  REQUIRE(child_events.size() == 2);
  // The free of the parent's block is an unknown free in the child.
  CHECK(meta(child, "unknown_frees") >= 1);
  CHECK(meta(child, "pid") != meta(parent, "pid"));
  CHECK(meta(child, "ppid") == meta(parent, "pid"));
  CHECK(fork_marker_sizes(parent) == std::vector<std::uint64_t>{1001, 1002});
}

TEST_CASE("a child forked without the fork handlers (_Fork) never writes into the parent's trace") {
  // _Fork, like a raw fork or clone system call, runs no pthread_atfork
  // handlers: the child kept the parent's shared mapping and recorded its
  // calls into the parent's file as the parent's main thread, so the
  // parent's trace showed the child's blocks and, later, frees of blocks
  // already freed and allocations at live addresses.
  Recording r = record("fork_raw", {PROG_FORKS, "_Fork"});
  CHECK(r.exit_code == 9);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(fork_marker_sizes(t) == std::vector<std::uint64_t>{1001, 1002});
  CHECK(meta(t, "unknown_frees") == 0);
  CHECK(meta(t, "reused_live_addresses") == 0);

  Recording f = record("fork_raw_follow", {PROG_FORKS, "_Fork"}, {"--follow-forks"});
  CHECK(f.exit_code == 9);
  const std::vector<std::string> children = child_traces(f.dir);
  REQUIRE(children.size() == 1);
  CHECK(fork_marker_sizes(fa32::test::read_trace(children[0])) == std::vector<std::uint64_t>{2001, 2002});
  CHECK(fork_marker_sizes(fa32::test::read_trace(f.trace)) == std::vector<std::uint64_t>{1001, 1002});
}

TEST_CASE("exec keeps recording the same process into the same trace") {
  Recording r = record("exec", {PROG_FORKS, "exec"});
  CHECK(r.exit_code == 4);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(meta(t, "record.images") == 2);
  CHECK(t.header.metadata.at("record.image.1.command").find("after-exec") != std::string::npos);
  std::vector<std::uint64_t> sizes;
  std::set<std::uint64_t> ids;
  for (const Event& e : t.events) {
    if (e.size == 3001 || e.size == 3002) {
      sizes.push_back(e.size);
      ids.insert(e.id);
    }
  }
  CHECK(sizes == std::vector<std::uint64_t>{3001, 3002});
  CHECK(ids.size() == 2);  // the block of the first image stays live under its own id
}

TEST_CASE("each image's command keeps its argument boundaries, quoted as the top-level command is") {
  // Joined with plain spaces, `'' ' a  b '` was stored as `  a  b `: an
  // empty argument vanished and the spaces inside one looked like breaks.
  Recording r = record("exec_quoted", {PROG_FORKS, "exec-other", PROG_KNOWN_SEQUENCE, "", " a  b ", "it's"});
  CHECK(r.exit_code == 7);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  REQUIRE(meta(t, "record.images") == 2);
  CHECK(t.header.metadata.at("record.image.0.command") == t.header.metadata.at("command"));
  CHECK(t.header.metadata.at("record.image.1.command") ==
        std::string(PROG_KNOWN_SEQUENCE) + " '' ' a  b ' 'it'\\''s'");
}

TEST_CASE("a signal that kills an exec'd image is blamed on that image, not on the program started") {
  // The warning named the first program (`sh was killed` for `sh -c 'exec
  // prog'`), which had been replaced by the one that died.
  Recording r = record("exec_killed", {PROG_FORKS, "exec-other", PROG_KNOWN_SEQUENCE, "segv"});
  CHECK(r.exit_code == 128 + 11);
  std::ifstream log(r.dir + "/log.txt");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find(std::string(PROG_KNOWN_SEQUENCE) + " was killed by signal 11") != std::string::npos);
  CHECK(text.find(std::string(PROG_FORKS) + " was killed") == std::string::npos);

  // The name is the argv[0] the image was given.
  Recording s = record("exec_killed_static", {PROG_FORKS, "exec-other", "/bin/sh", "-c", "kill -9 $$"});
  CHECK(s.exit_code == 128 + 9);
  std::ifstream log2(s.dir + "/log.txt");
  std::string text2((std::istreambuf_iterator<char>(log2)), std::istreambuf_iterator<char>());
  CHECK(text2.find("/bin/sh was killed by signal 9") != std::string::npos);
}

TEST_CASE("an exec into a program that does not load the recorder is reported, a failed one is not") {
  // The trace ended at such an exec (a wrapper script exec'ing a static
  // binary) with nothing saying that the program went on unrecorded.
  Recording r = record("exec_static", {PROG_FORKS, "exec-other", PROG_STATIC});
  CHECK(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(meta(t, "record.images") == 1);
  REQUIRE(t.header.metadata.count("record.unrecorded_exec") == 1);
  CHECK(t.header.metadata.at("record.unrecorded_exec") == PROG_STATIC);
  std::ifstream log(r.dir + "/log.txt");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("did not load the recorder") != std::string::npos);

  // A failed exec returns, and a vfork child's exec is another process's.
  Recording f = record("exec_fail", {PROG_FORKS, "exec-fail", PROG_STATIC});
  CHECK(f.exit_code == 4);
  fa32::test::Trace ft = fa32::test::read_trace(f.trace);
  CHECK(ft.header.metadata.count("record.unrecorded_exec") == 0);
  bool after = false;
  for (const Event& e : ft.events) after = after || e.size == 3003;
  CHECK(after);
}

TEST_CASE("a program that closes every descriptor and changes directory is still recorded in full") {
  Recording r = record("daemon", {PROG_FORKS, "daemon"});
  CHECK(r.exit_code == 0);
  fa32::test::Trace t = fa32::test::read_trace(r.trace);
  CHECK(t.header.metadata.at("record.overflow") == "false");
  std::uint64_t small = 0;
  bool last_seen = false;
  for (const Event& e : t.events) {
    if (e.op == Op::malloc && e.size == 16) ++small;
    if (e.op == Op::malloc && e.size == 4001) last_seen = true;
  }
  CHECK(small == 600000);
  CHECK(last_seen);
}

TEST_CASE("a program that cannot be started exits 127 and writes nothing") {
  Recording r = record("missing", {"/nonexistent/program"});
  CHECK(r.exit_code == 127);
  CHECK_FALSE(std::filesystem::exists(r.trace));
}

TEST_CASE("record usage errors exit 2 without running the program") {
  const std::string dir = fa32::test::fresh_dir("usage");
  const std::string log = dir + "/log.txt";
  CHECK(fa32::test::run_program({FA32_BIN, "record", "-o", "-", "--", PROG_NO_ALLOC}, {}, log) == 2);
  CHECK(fa32::test::run_program({FA32_BIN, "record", "-o", dir + "/t.fa32"}, {}, log) == 2);
  CHECK(fa32::test::run_program({FA32_BIN, "record", "-o", dir + "/no/such/dir/t.fa32", "--", PROG_NO_ALLOC},
                                {}, log) == 2);
  CHECK(fa32::test::run_program({FA32_BIN, "record", "-o", dir + "/t.fa32", "--", PROG_NO_ALLOC},
                                {"FA32_RECORD_LIBRARY=" + dir + "/missing.so"}, log) == 2);
  CHECK_FALSE(std::filesystem::exists(dir + "/t.fa32"));
}

TEST_CASE("glibc's own mtrace and our recorder see the same calls") {
  const std::string dir = fa32::test::fresh_dir("mtrace_compare");
  const std::string log = dir + "/mtrace.log";
  const int rc = fa32::test::run_program({PROG_KNOWN_SEQUENCE, "return", "mtrace"},
                                         {"LD_PRELOAD=libc_malloc_debug.so.0", "MALLOC_TRACE=" + log});
  REQUIRE(rc == 7);
  const std::string imported = dir + "/mtrace.fa32";
  REQUIRE(fa32::test::run_program({FA32_BIN, "import", "--from", "mtrace", log, "-o", imported}, {},
                                  dir + "/import.txt") == 0);
  Recording r = record("mtrace_compare_rec", {PROG_KNOWN_SEQUENCE, "return", "mtrace"});
  REQUIRE(r.exit_code == 7);

  // Both windows: the whole sequence including the reallocarray calls.
  auto theirs = fa32::test::between_markers(fa32::test::read_trace(imported).events, kBegin, 777003);
  auto ours = fa32::test::between_markers(fa32::test::read_trace(r.trace).events, kBegin, 777003);
  CHECK(ours.size() == kKnownSequence.size() + 5);
  auto a = fa32::test::canonical(fa32::test::as_mtrace_sees(ours));
  auto b = fa32::test::canonical(theirs);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("event " << i << ": ours " << fa32::test::describe(a[i]) << ", mtrace "
                  << fa32::test::describe(b[i]));
    CHECK(a[i] == b[i]);
  }
}
