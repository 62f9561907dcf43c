// Programs no one here wrote, recorded by the real binary: their exit
// status is passed through, their traces are complete and consistent
// (every free and realloc names a live id, ids are below the header bound),
// `fa32 validate` accepts them and `fa32 replay --verify` replays them.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "record_test_util.hpp"

using fa32::traces::Event;
using fa32::traces::Op;

namespace {

struct Result {
  int exit_code = -1;
  std::string trace;
  fa32::test::Trace t;
};

// The trace as a replayer needs it: ids used only while live, each below
// the header's bound, and the header's counts right.
void check_consistent(const fa32::test::Trace& t) {
  REQUIRE(t.header.event_count == t.events.size());
  std::set<std::uint64_t> live;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    INFO("event " << i << ": " << fa32::test::describe(e));
    REQUIRE(e.id < t.header.id_bound);
    if (e.op == Op::free) {
      REQUIRE(live.erase(e.id) == 1);
    } else if (e.op == Op::realloc) {
      REQUIRE(live.count(e.id) == 1);
    } else {
      REQUIRE(live.insert(e.id).second);
      REQUIRE(e.thread >= 1);
    }
  }
  CHECK(std::to_string(live.size()) == t.header.metadata.at("live_at_end"));
}

// fa32 validate accepts it and it replays through fastalloc32 with every
// block's contents checked (--verify).
void check_replays(const std::string& trace) {
  const std::string log = trace + ".check.txt";
  CHECK(fa32::test::run_program({FA32_BIN, "validate", trace}, {}, log) == 0);
  CHECK(fa32::test::run_program({FA32_BIN, "replay", "--verify", trace}, {}, log) == 0);
}

Result record_real(const std::string& name, const std::vector<std::string>& program) {
  Result r;
  const std::string dir = fa32::test::fresh_dir("real_" + name);
  r.trace = dir + "/trace.fa32";
  std::vector<std::string> argv = {FA32_BIN, "record", "-o", r.trace, "--"};
  argv.insert(argv.end(), program.begin(), program.end());
  r.exit_code = fa32::test::run_program(argv, {}, dir + "/log.txt");
  r.t = fa32::test::read_trace(r.trace);
  check_consistent(r.t);
  check_replays(r.trace);
  return r;
}

std::uint64_t count_op(const fa32::test::Trace& t, Op op) {
  std::uint64_t n = 0;
  for (const Event& e : t.events) n += e.op == op ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("sort: recorded, validated, replayed, exit status kept") {
  const std::string dir = fa32::test::fresh_dir("real_sort_input");
  const std::string input = dir + "/numbers.txt";
  {
    std::ofstream f(input);
    for (int i = 0; i < 20000; ++i) f << (i * 7919) % 20011 << "\n";
  }
  Result ok = record_real("sort", {SORT_PROGRAM, "-n", "-o", dir + "/sorted.txt", input});
  CHECK(ok.exit_code == 0);
  CHECK(count_op(ok.t, Op::malloc) > 10);
  Result bad = record_real("sort_missing", {SORT_PROGRAM, dir + "/no-such-file"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("python3: recorded, validated, replayed, exit status kept") {
  Result r = record_real("python", {PYTHON_PROGRAM, "-c",
                                    "import sys\nd = {i: str(i) * 40 for i in range(20000)}\nsys.exit(3)"});
  CHECK(r.exit_code == 3);
  CHECK(count_op(r.t, Op::malloc) > 1000);
  CHECK(count_op(r.t, Op::free) > 100);
}

TEST_CASE("lua5.4: recorded, validated, replayed, exit status kept") {
  Result r = record_real(
      "lua",
      {LUA_PROGRAM, "-e", "local t = {} for i = 1, 20000 do t[i] = tostring(i) .. 'x' end os.exit(5)"});
  CHECK(r.exit_code == 5);
  CHECK(count_op(r.t, Op::realloc) > 10);  // Lua's allocator is realloc-based
}

TEST_CASE("sqlite3: recorded, validated, replayed, exit status kept") {
  Result r = record_real(
      "sqlite",
      {SQLITE_PROGRAM, ":memory:",
       "CREATE TABLE t(x TEXT); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < "
       "5000) INSERT INTO t SELECT printf('%d-%d', i, i * i) FROM c; SELECT count(*) FROM t;"});
  CHECK(r.exit_code == 0);
  Result bad = record_real("sqlite_error", {SQLITE_PROGRAM, ":memory:", "SELECT * FROM no_such_table;"});
  CHECK(bad.exit_code == 1);
}
