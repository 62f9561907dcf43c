// The validate, convert and gen commands, through the same run() as fa32.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/traces/reader.hpp"
#include "trace_test_util.hpp"

using namespace fa32::traces;

namespace {
int run_args(std::vector<std::string> args) {
  args.insert(args.begin(), "fa32");
  args.insert(args.begin() + 1, "-q");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return fa32::app::run(static_cast<int>(argv.size()), argv.data());
}

struct TempDir {
  // Per process: ctest runs the cases in parallel.
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("fa32_traces_commands." + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
}  // namespace

TEST_CASE("gen, convert through every format, validate") {
  TempDir d;
  REQUIRE(run_args({"gen", "lua-like", "--events", "5000", "--seed", "3", "-o", d / "a.fa32"}) == 0);
  REQUIRE(run_args({"convert", d / "a.fa32", d / "b.json"}) == 0);
  REQUIRE(run_args({"convert", d / "b.json", d / "c.jsonl"}) == 0);
  REQUIRE(run_args({"convert", d / "c.jsonl", d / "d.bin", "--to", "binary"}) == 0);
  auto a = open_trace(d / "a.fa32");
  auto b = open_trace(d / "d.bin");
  CHECK(a->header() == b->header());
  CHECK(test::read_all(*a) == test::read_all(*b));
  CHECK(run_args({"validate", d / "a.fa32", d / "b.json", d / "c.jsonl"}) == 0);
  // Same seed, same bytes.
  REQUIRE(run_args({"gen", "lua-like", "--events", "5000", "--seed", "3", "-o", d / "again.fa32"}) == 0);
  std::ifstream x(d / "a.fa32", std::ios::binary), y(d / "again.fa32", std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(x), {}) ==
        std::string(std::istreambuf_iterator<char>(y), {}));
}

TEST_CASE("gen options") {
  TempDir d;
  CHECK(run_args({"gen", "--list"}) == 0);
  CHECK(run_args({"gen", "no-such-profile", "-o", d / "x.json"}) == 2);
  CHECK(run_args({"gen", "--sizes", "bogus", "-o", d / "x.json"}) == 2);
  CHECK(run_args({"gen", "-o", d / "x.unknown"}) == 2);
  REQUIRE(run_args({"gen", "fifo", "-n", "3000", "--live", "20", "--sizes", "fixed:24", "--threads", "2",
                    "--realloc-share", "0.1", "--leaks", "5", "-o", d / "x.json"}) == 0);
  auto r = open_trace(d / "x.json");
  CHECK(r->header().id_bound == 40);
  auto events = test::read_all(*r);
  CHECK(events.size() == 3000);
  for (const auto& e : events) {
    if (e.op == Op::malloc) CHECK(e.size == 24);
  }
  // Five leaks are a check failure for nobody: validate reports them as live.
  CHECK(run_args({"validate", d / "x.json"}) == 0);
  REQUIRE(run_args({"gen", "-n", "100", "--no-free", "-o", d / "y.jsonl"}) == 0);
}

TEST_CASE("validate: semantic errors exit 1, unreadable input exits 2") {
  TempDir d;
  write_file(d / "bad.jsonl", "{\"op\":\"malloc\",\"id\":1,\"size\":8}\n{\"op\":\"free\",\"id\":2}\n");
  CHECK(run_args({"validate", d / "bad.jsonl"}) == 1);
  CHECK(run_args({"validate", "--json", d / "bad.jsonl"}) == 1);
  write_file(d / "broken.json", "{\"format\":\"fa32-trace\",\"version\":1,\"events\":[{\"op\":\"free\"");
  CHECK(run_args({"validate", d / "broken.json"}) == 2);
  CHECK(run_args({"validate", d / "missing.json"}) == 2);
  CHECK(run_args({"convert", d / "broken.json", d / "out.fa32"}) == 2);
  CHECK(run_args({"convert", d / "bad.jsonl", d / "out.xyz"}) == 2);
}

// File names in another encoding than UTF-8 end up in a trace's metadata
// (import's "source") and in validate's JSON: both commands failed with
// nlohmann's "invalid UTF-8 byte" and exit 2, import leaving an empty file.
TEST_CASE("import and validate --json take file names that are not UTF-8") {
  TempDir d;
  const std::string trace = d / "caf\xe9.jsonl";
  write_file(trace, "{\"op\":\"malloc\",\"id\":0,\"size\":8}\n");
  CHECK(run_args({"validate", "--json", trace}) == 0);
  const std::string log = d / "caf\xe9.log";
  write_file(log, "1 1 malloc(16)=0x1000\n1 1 free(0x1000)\n");
  for (const char* out : {"t.fa32", "t.json", "t.jsonl"}) {
    CAPTURE(out);
    REQUIRE(run_args({"import", "--from", "logalloc", log, "-o", d / out}) == 0);
    auto r = open_trace(d / out);
    CHECK(r->header().metadata.at("source").find("caf\xef\xbf\xbd.log") != std::string::npos);
    CHECK(test::read_all(*r).size() == 2);
  }
}

// A realloc to 0 leaves the id live with 0 bytes in every tool: these traces
// were valid for validate but replay stopped on them ("the id was already
// freed", "double free") with allocators whose realloc(p, 0) returns NULL
// (glibc, fastalloc32), and the reverse case was the other way round.
TEST_CASE("realloc to size 0: validate and replay agree, on every allocator") {
  TempDir d;
  REQUIRE(run_args({"gen", "-n", "100", "--sizes", "fixed:0", "--realloc-share", "0.5", "-o",
                    d / "z.jsonl"}) == 0);
  write_file(d / "la.log", "1 1 malloc(16)=0x1000\n1 1 realloc(0x1000,0)=0x2000\n1 1 free(0x2000)\n");
  REQUIRE(run_args({"import", "--from", "logalloc", d / "la.log", "-o", d / "la.jsonl"}) == 0);
  for (const std::string& t : {d / "z.jsonl", d / "la.jsonl"}) {
    CAPTURE(t);
    CHECK(run_args({"validate", t}) == 0);
    CHECK(run_args({"replay", t}) == 0);
    CHECK(run_args({"replay", t, "--verify"}) == 0);
    CHECK(run_args({"replay", t, "--allocator", "system", "--verify"}) == 0);
  }
  write_file(d / "reuse.jsonl",
             "{\"op\":\"malloc\",\"id\":0,\"size\":16}\n{\"op\":\"realloc\",\"id\":0,\"size\":0}\n"
             "{\"op\":\"malloc\",\"id\":0,\"size\":16}\n");
  CHECK(run_args({"validate", d / "reuse.jsonl"}) == 1);
  CHECK(run_args({"replay", d / "reuse.jsonl"}) == 2);
  CHECK(run_args({"replay", d / "reuse.jsonl", "--allocator", "system"}) == 2);
}
