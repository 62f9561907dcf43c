// fa32 tune through the real binary: exit codes and messages for bad input,
// the byte-for-byte reproducible memory objective, the budget, and the
// written config accepted by replay, stats and bench as it is. Only
// --objective memory is used where an answer is compared: it times nothing.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fa32/app/bench/child_process.hpp"
#include "tune_test_util.hpp"

using fa32::app::bench::ChildOutcome;
using fa32::app::bench::run_child;
using namespace std::chrono_literals;

namespace {

ChildOutcome fa32_run(std::vector<std::string> args) {
  args.insert(args.begin(), FA32_BINARY);
  return run_child(FA32_BINARY, args, "", 600s, 0);
}

// The files own() named, removed when the process ends: every run left
// its traces, configs and reports in the test's directory.
struct OwnFiles {
  std::vector<std::string> names;
  ~OwnFiles() {
    for (const std::string& n : names) std::remove(n.c_str());
  }
};

// A file name of this process's own: ctest runs the cases in parallel
// processes in one directory.
std::string own(const std::string& name) {
  static OwnFiles files;
  std::string path = "tune_e2e_" + std::to_string(::getpid()) + "_" + name;
  if (std::find(files.names.begin(), files.names.end(), path) == files.names.end())
    files.names.push_back(path);
  return path;
}

// A small binary trace of 24 B, 40 B and 200 B requests, written once per process.
const std::string& small_trace() {
  static const std::string path = [] {
    const std::string p = own("small.fa32");
    fa32::test::write_trace(p, fa32::test::churn_events({24, 40, 200}, 3000, 300));
    return p;
  }();
  return path;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("tune e2e: --objective memory prints the same bytes on every run") {
  for (const char* format : {"text", "json"}) {
    const ChildOutcome a = fa32_run({"tune", small_trace(), "--objective", "memory", "--format", format});
    const ChildOutcome b = fa32_run({"tune", small_trace(), "--objective", "memory", "--format", format});
    INFO(a.err);
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    CHECK(!a.out.empty());
    CHECK(a.out == b.out);
  }
  const ChildOutcome j = fa32_run({"tune", small_trace(), "--objective", "memory", "--format", "json"});
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["objective"] == "memory");
  CHECK(doc["candidates"].size() >= 3);
  CHECK(doc["candidates"][0]["name"] == "default");
  CHECK(doc["candidates"][1]["name"] == "original");
  CHECK(!doc["recommendation"]["reason"].get<std::string>().empty());
}

TEST_CASE("tune e2e: the written config is accepted by replay, stats and bench as it is") {
  const std::string best = own("best.json");
  const ChildOutcome t = fa32_run({"tune", small_trace(), "--objective", "memory", "-o", best});
  INFO(t.err);
  REQUIRE(t.exit_code == 0);
  const auto cfg = nlohmann::json::parse(read_text(best));
  REQUIRE(cfg.contains("classes"));

  const ChildOutcome r = fa32_run({"replay", small_trace(), "--config", best, "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The replay ran with the file's classes: its report lists them.
  const auto rep = nlohmann::json::parse(r.out);
  const std::string text = rep.dump();
  for (const auto& size : cfg["classes"]) {
    CHECK(text.find("\"block_size\":" + std::to_string(size.get<std::uint64_t>())) != std::string::npos);
  }
  const ChildOutcome s = fa32_run({"stats", small_trace(), "--config", best});
  INFO(s.err);
  CHECK(s.exit_code == 0);
  const ChildOutcome b = fa32_run({"bench", small_trace(), "-a", "tuned=fa32:config=" + best, "--runs", "1",
                                   "--warmup", "0", "--format", "json"});
  INFO(b.err);
  CHECK(b.exit_code == 0);
  CHECK(b.out.find("tuned") != std::string::npos);
}

TEST_CASE("tune e2e: bad input exits 2 with a message that names the problem") {
  SUBCASE("a missing trace") {
    const ChildOutcome o = fa32_run({"tune", "no_such_trace_for_tune.json"});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("no_such_trace_for_tune.json") != std::string::npos);
  }
  SUBCASE("an invalid event, named") {
    write_text(own("bad.json"),
               R"({"format": "fa32-trace", "version": 1, "events": [
  {"op": "malloc", "id": 0, "size": 16},
  {"op": "free", "id": 7}
]})");
    const ChildOutcome o = fa32_run({"tune", own("bad.json")});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("event 1") != std::string::npos);
  }
  SUBCASE("a trace that is not JSON") {
    write_text(own("garbage.json"), "{\"format\": \"fa32-trace\", \"events\": [ {\"op\": ");
    const ChildOutcome o = fa32_run({"tune", own("garbage.json")});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find(own("garbage.json")) != std::string::npos);
  }
  SUBCASE("a trace with no allocations") {
    write_text(own("empty.json"), R"({"format": "fa32-trace", "version": 1, "events": []})");
    const ChildOutcome o = fa32_run({"tune", own("empty.json")});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("no allocations") != std::string::npos);
  }
  SUBCASE("a trace whose allocations are all of 0 bytes") {
    // Its live peak is 0: every candidate's footprint / live peak has no
    // value, each read as 1.000, and the default was called the best.
    write_text(own("zero_bytes.json"), R"({"format": "fa32-trace", "version": 1, "events": [
  {"op": "malloc", "id": 0, "size": 0}, {"op": "malloc", "id": 1, "size": 0}, {"op": "free", "id": 0}
]})");
    const ChildOutcome o = fa32_run({"tune", own("zero_bytes.json"), "--objective", "memory"});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("no allocations of a byte or more") != std::string::npos);
  }
  SUBCASE("a tuning part with no allocations") {
    // --holdout 0.9 leaves 4 events' first 0 to tune on: every candidate
    // measured 1.000 on nothing, and the default was called the best.
    write_text(own("four.json"), R"({"format": "fa32-trace", "version": 1, "events": [
  {"op": "malloc", "id": 0, "size": 100}, {"op": "malloc", "id": 1, "size": 200},
  {"op": "free", "id": 0}, {"op": "free", "id": 1}
]})");
    const ChildOutcome o = fa32_run({"tune", own("four.json"), "--holdout", "0.9", "--objective", "memory"});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("the tuning part (the first 0 of 4 events) has no allocation") != std::string::npos);
    CHECK(fa32_run({"tune", own("four.json"), "--holdout", "0.5", "--objective", "memory"}).exit_code == 0);
  }
  SUBCASE("a holdout out of range") {
    const ChildOutcome o = fa32_run({"tune", small_trace(), "--holdout", "1.5"});
    CHECK(o.exit_code == 2);
    CHECK(o.err.find("--holdout") != std::string::npos);
  }
}

TEST_CASE("tune e2e: a trace too short to hold a part back is not said to be checked on one") {
  // llround(1 * 0.3) is 0: no holdout part, so the header said "checked on
  // the last 30 %" of nothing, above columns of "-".
  write_text(own("one.json"), R"({"format": "fa32-trace", "version": 1, "events": [
  {"op": "malloc", "id": 0, "size": 100}
]})");
  const ChildOutcome o = fa32_run({"tune", own("one.json"), "--objective", "memory"});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  CHECK(o.out.find(
            "the trace is too short to hold the last 30 % back: tuned on every event, checked on none") !=
        std::string::npos);
  CHECK(o.out.find("checked on the last") == std::string::npos);
  CHECK(o.out.find("holdout:") == std::string::npos);
}

TEST_CASE("tune e2e: a budget too small for one round says so and reports the best so far") {
  const ChildOutcome o =
      fa32_run({"tune", small_trace(), "--objective", "memory", "--budget", "0.000001", "--format", "json"});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  CHECK(o.err.find("too small for one round") != std::string::npos);
  const auto doc = nlohmann::json::parse(o.out);
  CHECK(doc["budget_exhausted"] == true);
  // The best of the candidates measured before the budget ran out.
  bool measured = false;
  for (const auto& c : doc["candidates"]) measured = measured || c["name"] == doc["recommendation"]["name"];
  CHECK(measured);
  CHECK(!doc["recommendation"]["reason"].get<std::string>().empty());
}
