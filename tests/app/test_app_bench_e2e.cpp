// End to end: the real fa32 binary benchmarks a small trace, one run each.
// Timings are never asserted, only that every allocator ran and the report
// says what it should.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/bench/child_process.hpp"
#include "fa32/traces/generate.hpp"
#include "fa32/traces/writer.hpp"

using namespace fa32::app::bench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("fa32-bench-e2e-" + std::to_string(getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A real trace from the generator, written as binary.
std::string make_trace(const fs::path& dir) {
  fa32::traces::GenOptions g;
  g.profile = "small-churn";
  g.events = 3000;
  g.seed = 7;
  auto gen = fa32::traces::make_generator(g);
  const std::string path = (dir / "churn.fa32").string();
  auto w = fa32::traces::create_writer(path, fa32::traces::Format::binary, gen->header());
  fa32::traces::Event e;
  while (gen->next(e)) w->write(e);
  w->finish();
  return path;
}

// A trace that leaves one block live at its end: each timed repetition must
// start from a new replayer, or its first malloc reuses a live id.
std::string make_leaky_trace(const fs::path& dir) {
  const std::string path = (dir / "leaky.fa32").string();
  fa32::traces::TraceHeader h;
  h.id_bound = 2;
  auto w = fa32::traces::create_writer(path, fa32::traces::Format::binary, h);
  fa32::traces::Event e;
  e.op = fa32::traces::Op::malloc;
  e.id = 0;
  e.size = 32;
  w->write(e);
  e.id = 1;
  e.size = 100;
  w->write(e);
  e.op = fa32::traces::Op::free;
  e.id = 0;
  e.size = 0;
  w->write(e);
  w->finish();
  return path;
}

ChildOutcome run_fa32(std::vector<std::string> args) {
  args.insert(args.begin(), FA32_BINARY);
  return run_child(FA32_BINARY, args, "", 600s);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const nlohmann::json* find_row(const nlohmann::json& w, const std::string& name) {
  for (const auto& r : w["allocators"]) {
    if (r["name"] == name) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("fa32 bench runs every installed allocator on a trace and skips a missing preload") {
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  const fs::path out = dir.path / "bench.json";
  ChildOutcome o = run_fa32({"bench", trace, "--runs", "1", "--warmup", "0", "--min-time", "0", "--format",
                             "json", "--output", out.string(), "--preload", "ghost=/no/such/dir/libghost.so",
                             "--fa32", "one128=block-size=128:pool-size=1M:pool-limit=64M"});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 0);
  CHECK(o.err.find("ghost") != std::string::npos);  // the note is on stderr too

  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  CHECK(j["runs"] == 1);
  REQUIRE(j["workloads"].size() == 1);
  const nlohmann::json& w = j["workloads"][0];
  CHECK(w["name"] == trace);
  CHECK(w["events"].get<std::uint64_t>() >= 3000);
  CHECK(w["live_peak_bytes"].get<std::uint64_t>() > 0);
  CHECK(find_row(w, "ghost") == nullptr);
  bool noted = false;
  for (const auto& n : j["notes"]) noted = noted || n.get<std::string>().find("ghost") != std::string::npos;
  CHECK(noted);

  for (const char* name : {"fa32", "one128"}) {
    const nlohmann::json* r = find_row(w, name);
    REQUIRE(r != nullptr);
    CHECK((*r)["status"] == "ok");
    CHECK((*r)["ns_per_event"]["runs"].size() == 1);
    CHECK((*r)["ns_per_event"]["median"].get<double>() > 0);
    CHECK((*r)["ns_per_event"]["wall_runs"].size() == 1);
    CHECK((*r)["footprint_peak_bytes"].get<std::uint64_t>() > 0);
    CHECK((*r)["peak_rss_bytes"].get<std::uint64_t>() > 0);
    CHECK((*r)["verified"].dump().find("fastalloc32_check passed") != std::string::npos);
  }
  const nlohmann::json* glibc = find_row(w, "glibc");
  REQUIRE(glibc != nullptr);
  CHECK((*glibc)["status"] == "ok");
  CHECK((*glibc)["ratio_to_glibc"].get<double>() == doctest::Approx(1.0));
  // glibc's footprint comes from mallinfo2; ASan's malloc has none to give.
  if (built_with_asan()) {
    CHECK((*glibc)["footprint_peak_bytes"].is_null());
  } else {
    CHECK((*glibc)["footprint_peak_bytes"].is_number_unsigned());
  }

  std::vector<std::string> notes;
  std::vector<AllocatorSpec> installed = resolve_allocators(default_allocators(), notes);
  for (const AllocatorSpec& s : default_allocators()) {
    if (s.kind != AllocatorKind::preload) continue;
    const nlohmann::json* r = find_row(w, s.name);
    bool expected = false;
    for (const AllocatorSpec& i : installed) expected = expected || i.name == s.name;
    if (!expected) {
      // Not installed, or a sanitizer build: skipped, and the note says why.
      CHECK(r == nullptr);
      if (built_with_asan())
        MESSAGE("AddressSanitizer build: " << s.name << " is not preloaded, as designed");
      continue;
    }
    REQUIRE(r != nullptr);
    CHECK((*r)["status"] == "ok");
    CHECK((*r)["verified"].dump().find("LD_PRELOAD took effect") != std::string::npos);
    CHECK((*r)["footprint_peak_bytes"].is_null());
  }
}

// Each -a, --fa32 and --preload takes one value: the traces may follow
// them on the command line (a repeatable option once took them too, and
// bench then said no trace was given).
TEST_CASE("fa32 bench takes one value per -a, --fa32 and --preload, so traces may follow them") {
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  const fs::path out = dir.path / "options-first.json";
  ChildOutcome o = run_fa32({"bench",
                             "--runs",
                             "1",
                             "--warmup",
                             "0",
                             "--min-time",
                             "0",
                             "--format",
                             "json",
                             "--output",
                             out.string(),
                             "-a",
                             "glibc",
                             "--fa32",
                             "small=pool-size=1M",
                             "--preload",
                             "ghost=/no/such/dir/libghost.so",
                             "-a",
                             "fa32",
                             trace});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  REQUIRE(j["workloads"].size() == 1);
  const nlohmann::json& w = j["workloads"][0];
  CHECK(w["name"] == trace);
  for (const char* name : {"glibc", "fa32", "small"}) {
    const nlohmann::json* r = find_row(w, name);
    REQUIRE_MESSAGE(r != nullptr, name);
    CHECK((*r)["status"] == "ok");
  }
  CHECK(find_row(w, "ghost") == nullptr);  // named, not installed: a note

  // Two values after one -a: the second is a trace, and says so.
  o = run_fa32({"bench", "-a", "fa32", "glibc", trace, "--runs", "1", "--warmup", "0", "--min-time", "0"});
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 2);
  CHECK(o.err.find("glibc: cannot open") != std::string::npos);
}

// A realloc to 0 leaves its id live (0 bytes) whatever the allocator
// returns: the la.jsonl trace (malloc, realloc to 0, free) failed on the
// allocators whose realloc(p, 0) returns NULL (fastalloc32, glibc, jemalloc,
// tcmalloc: "double free") and passed on mimalloc.
TEST_CASE("fa32 bench replays a realloc to 0 then free on every allocator") {
  TempDir dir;
  const std::string trace = (dir.path / "realloc-zero.jsonl").string();
  {
    std::ofstream f(trace);
    f << "{\"op\":\"malloc\",\"id\":0,\"size\":16}\n{\"op\":\"realloc\",\"id\":0,\"size\":0}\n"
         "{\"op\":\"free\",\"id\":0}\n{\"op\":\"malloc\",\"id\":1,\"size\":16}\n"
         "{\"op\":\"realloc\",\"id\":1,\"size\":0}\n{\"op\":\"realloc\",\"id\":1,\"size\":40}\n"
         "{\"op\":\"free\",\"id\":1}\n";
  }
  const fs::path out = dir.path / "realloc-zero.json";
  ChildOutcome o = run_fa32({"bench", trace, "--runs", "2", "--warmup", "0", "--min-time", "0", "--format",
                             "json", "--output", out.string()});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  REQUIRE(j["workloads"].size() == 1);
  std::vector<std::string> notes;
  for (const AllocatorSpec& s : resolve_allocators(default_allocators(), notes)) {
    CAPTURE(s.name);
    const nlohmann::json* r = find_row(j["workloads"][0], s.name);
    REQUIRE(r != nullptr);
    CHECK((*r)["status"] == "ok");
  }
}

TEST_CASE("a preload that is loaded but is not an allocator fails its row, not glibc under its name") {
  // zlib: a library fa32 itself links, so it is on every machine that runs
  // fa32, and has no malloc of its own.
  Dl_info info{};
  REQUIRE(dladdr(reinterpret_cast<void*>(&zlibVersion), &info) != 0);
  REQUIRE(info.dli_fname != nullptr);
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  const fs::path out = dir.path / "not-an-allocator.json";
  ChildOutcome o =
      run_fa32({"bench", trace, "--preload", std::string("zlib=") + info.dli_fname, "-a", "glibc", "--runs",
                "1", "--warmup", "0", "--format", "json", "--output", out.string()});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  const nlohmann::json* z = find_row(j["workloads"][0], "zlib");
  if (built_with_asan()) {
    CHECK(z == nullptr);  // preloads are skipped under ASan, with a note
    return;
  }
  CHECK(o.exit_code == 1);
  REQUIRE(z != nullptr);
  CHECK((*z)["status"] != "ok");
  CHECK((*z).dump().find("not an allocator") != std::string::npos);
  CHECK((*find_row(j["workloads"][0], "glibc"))["status"] == "ok");
}

TEST_CASE("fa32 bench --warmup 0 still repeats a tiny trace until a run lasts --min-time") {
  // It used to time a two-event trace once, about 10x off the figure
  // --warmup 1 gave. Only the repetitions are checked, never a time.
  TempDir dir;
  const fs::path trace = dir.path / "tiny.jsonl";
  std::ofstream(trace) << "{\"format\":\"fa32-trace\",\"version\":1}\n"
                          "{\"op\":\"malloc\",\"id\":0,\"size\":100}\n{\"op\":\"free\",\"id\":0}\n";
  const ChildOutcome o = run_fa32({"-q", "bench", trace.string(), "-a", "fa32", "-a", "glibc", "--runs", "2",
                                   "--warmup", "0", "--min-time", "50", "--format", "json"});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(o.out);
  CHECK(j["warmup"] == 0);
  REQUIRE(j["workloads"].size() == 1);
  const nlohmann::json& w = j["workloads"][0];
  CHECK(w["repetitions"].get<std::uint64_t>() > 1);
  for (const char* name : {"fa32", "glibc"}) {
    const nlohmann::json* r = find_row(w, name);
    REQUIRE(r != nullptr);
    CHECK((*r)["status"] == "ok");
    CHECK((*r)["ns_per_event"]["runs"].size() == 2);
  }
}

TEST_CASE("fa32 bench prints text, Markdown and CSV to standard output") {
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  for (const char* format : {"text", "markdown", "csv"}) {
    ChildOutcome o = run_fa32({"bench", trace, "-a", "fa32", "-a", "glibc", "--runs", "1", "--warmup", "1",
                               "--min-time", "0", "--format", format});
    INFO(format << ": " << o.err);
    REQUIRE(o.status == ChildOutcome::Status::exited);
    CHECK(o.exit_code == 0);
    CHECK(o.out.find("fa32") != std::string::npos);
    CHECK(o.out.find("glibc") != std::string::npos);
    if (std::string(format) == "markdown")
      CHECK(o.out.find("| workload | fa32 | glibc |") != std::string::npos);
    if (std::string(format) == "csv") CHECK(o.out.starts_with("workload,source,events,"));
    if (std::string(format) == "text") CHECK(o.out.find("1 run per allocator") != std::string::npos);
  }
}

TEST_CASE("fa32 bench --touch all has every worker write every byte, and says so") {
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  for (const char* touch : {"all", "first", "none"}) {
    const fs::path out = dir.path / (std::string("touch-") + touch + ".json");
    ChildOutcome o =
        run_fa32({"bench", trace, "-a", "fa32", "-a", "glibc", "--runs", "1", "--warmup", "0", "--min-time",
                  "0", "--touch", touch, "--format", "json", "--output", out.string()});
    INFO(touch << ": " << o.err);
    REQUIRE(o.status == ChildOutcome::Status::exited);
    CHECK(o.exit_code == 0);
    const nlohmann::json j = nlohmann::json::parse(slurp(out));
    CHECK(j["touch"] == touch);
    const std::string said = std::string("--touch ") + touch;
    for (const char* name : {"fa32", "glibc"}) {
      const nlohmann::json* r = find_row(j["workloads"][0], name);
      REQUIRE(r != nullptr);
      CHECK((*r)["status"] == "ok");
      // The worker itself reports the mode it replayed with.
      CHECK((*r)["verified"].dump().find(said) != std::string::npos);
    }
  }
  CHECK(run_fa32({"bench", trace, "--touch", "some"}).exit_code == 2);
}

TEST_CASE("a bench worker either probes or times: a timed run never follows a probe in its process") {
  TempDir dir;
  for (const std::string& trace : {make_trace(dir.path), make_leaky_trace(dir.path)}) {
    for (const char* kind : {"fastalloc32", "system"}) {
      INFO(trace << " " << kind);
      ChildOutcome probe = run_fa32({"bench-worker", trace, "--kind", kind, "--probe"});
      REQUIRE(probe.status == ChildOutcome::Status::exited);
      REQUIRE(probe.exit_code == 0);
      const nlohmann::json p = nlohmann::json::parse(probe.out);
      CHECK(p["repetitions"] == 0);
      CHECK(p["replay_cpu_ns"] == 0);
      CHECK(p["live_peak_bytes"].get<std::uint64_t>() > 0);
      CHECK(p["verified"].dump().find("untimed probe") != std::string::npos);
      if (std::string(kind) == "fastalloc32") {
        CHECK(p["footprint_peak_bytes"].get<std::uint64_t>() > 0);
        CHECK(p["verified"].dump().find("fastalloc32_check passed") != std::string::npos);
      }

      ChildOutcome timed = run_fa32({"bench-worker", trace, "--kind", kind, "--repetitions", "3"});
      REQUIRE(timed.status == ChildOutcome::Status::exited);
      INFO(timed.err);
      REQUIRE(timed.exit_code == 0);
      const nlohmann::json t = nlohmann::json::parse(timed.out);
      CHECK(t["repetitions"] == 3);
      CHECK(t["replay_cpu_ns"].get<std::uint64_t>() > 0);
      // No probe ran in the timed worker: it measured no footprint.
      CHECK(t["footprint_peak_bytes"].is_null());
      CHECK(t["verified"].dump().find("untimed probe") == std::string::npos);
      CHECK(t["verified"].dump().find("3 timed repetitions") != std::string::npos);
    }
  }
}

TEST_CASE("fa32 bench rejects bad input with exit 2, and hides its worker from --help") {
  TempDir dir;
  CHECK(run_fa32({"bench"}).exit_code == 2);
  CHECK(run_fa32({"bench", (dir.path / "missing.json").string()}).exit_code == 2);
  CHECK(run_fa32({"bench", "--suite", "-a", "nosuchalloc"}).exit_code == 2);
  CHECK(run_fa32({"bench", "--suite", "-a", "fa32:classes=zero"}).exit_code == 2);
  const std::string bad = (dir.path / "bad.jsonl").string();
  {
    std::ofstream f(bad);
    f << "{\"format\":\"fa32-trace\",\"version\":1}\n{\"op\":\"free\",\"id\":3}\n";
  }
  ChildOutcome o = run_fa32({"bench", bad, "--runs", "1"});
  CHECK(o.exit_code == 2);
  CHECK(o.err.find("bad.jsonl") != std::string::npos);

  ChildOutcome help = run_fa32({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("bench") != std::string::npos);
  CHECK(help.out.find("bench-worker") == std::string::npos);
}

TEST_CASE("fa32 bench fails a trace beyond the memory limit with a note, and exits 1") {
  TempDir dir;
  // Eight live blocks of 1 GiB against a limit of 2 GiB: the worker refuses
  // the third instead of making it, and the run fails saying so.
  const fs::path trace = dir.path / "big.jsonl";
  {
    std::ofstream f(trace);
    f << "{\"format\":\"fa32-trace\",\"version\":1}\n";
    for (int i = 0; i < 8; ++i) f << "{\"op\":\"malloc\",\"id\":" << i << ",\"size\":1073741824}\n";
    for (int i = 0; i < 8; ++i) f << "{\"op\":\"free\",\"id\":" << i << "}\n";
  }
  ChildOutcome o = run_fa32({"bench", trace.string(), "-a", "fa32", "-a", "glibc", "--runs", "1", "--warmup",
                             "0", "--min-time", "0", "--memory-limit", "2G", "--format", "json"});
  INFO(o.err);
  REQUIRE(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 1);
  const nlohmann::json j = nlohmann::json::parse(o.out);
  CHECK(j["memory_limit"] == 2147483648u);
  REQUIRE(j["workloads"].size() == 1);
  for (const char* name : {"fa32", "glibc"}) {
    const nlohmann::json* r = find_row(j["workloads"][0], name);
    REQUIRE(r != nullptr);
    CHECK((*r)["status"] == "failed");
    const std::string message = (*r)["message"];
    CHECK(message.find("6 requests refused by the memory limit") != std::string::npos);
    CHECK(message.find("event 2: malloc of id 2") != std::string::npos);
  }
}

TEST_CASE("fa32 bench --clock wall keeps the CPU times in the JSON, as --help says it has both") {
  // With --clock wall, runs and wall_runs both held the wall times and the
  // CPU times were dropped. Only the counts are checked, never a time.
  TempDir dir;
  const std::string trace = make_trace(dir.path);
  for (const char* clock : {"cpu", "wall"}) {
    ChildOutcome o = run_fa32({"-q", "bench", trace, "-a", "fa32", "-a", "glibc", "--runs", "2", "--warmup",
                               "0", "--min-time", "0", "--clock", clock, "--format", "json"});
    INFO(clock << ": " << o.err);
    REQUIRE(o.status == ChildOutcome::Status::exited);
    CHECK(o.exit_code == 0);
    const nlohmann::json j = nlohmann::json::parse(o.out);
    CHECK(j["clock"] == clock);
    for (const char* name : {"fa32", "glibc"}) {
      const nlohmann::json* r = find_row(j["workloads"][0], name);
      REQUIRE(r != nullptr);
      const nlohmann::json& ns = (*r)["ns_per_event"];
      REQUIRE(ns.contains("cpu_runs"));
      CHECK(ns["cpu_runs"].size() == 2);
      CHECK(ns["wall_runs"].size() == 2);
      // runs are the ranked clock's figures.
      CHECK(ns["runs"] == (std::string(clock) == "cpu" ? ns["cpu_runs"] : ns["wall_runs"]));
    }
  }
}

TEST_CASE("fa32 bench says so when a tiny trace cannot be repeated long enough for --min-time") {
  // Runs are capped at 10000 replays of the trace: a two-event trace and
  // --min-time 1000000 (ms) gave runs of milliseconds with nothing saying so.
  TempDir dir;
  const fs::path trace = dir.path / "tiny.jsonl";
  std::ofstream(trace) << "{\"format\":\"fa32-trace\",\"version\":1}\n"
                          "{\"op\":\"malloc\",\"id\":0,\"size\":100}\n{\"op\":\"free\",\"id\":0}\n";
  for (const char* min_time : {"1000000", "0"}) {
    const ChildOutcome o = run_fa32({"-q", "bench", trace.string(), "-a", "glibc", "--runs", "1",
                                     "--min-time", min_time, "--format", "json"});
    INFO(min_time << ": " << o.err);
    REQUIRE(o.status == ChildOutcome::Status::exited);
    CHECK(o.exit_code == 0);
    const nlohmann::json j = nlohmann::json::parse(o.out);
    bool noted = false;
    for (const auto& n : j["notes"])
      noted = noted || n.get<std::string>().find("lasted less than --min-time") != std::string::npos;
    if (std::string(min_time) == "0") {
      CHECK(j["workloads"][0]["repetitions"] == 1);
      CHECK_FALSE(noted);
    } else {
      CHECK(j["workloads"][0]["repetitions"] == 10000);
      CHECK(noted);
    }
  }
}
