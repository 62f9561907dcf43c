// The runner against a stand-in worker: a shell script that logs how it was
// called and answers like `fa32 bench-worker` -- or crashes, or hangs -- so
// the order of runs, the repetitions and the handling of failed workers are
// checked exactly, with no timing involved.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/app/bench/runner.hpp"

using namespace fa32::app::bench;
namespace fs = std::filesystem;

namespace {

// Arguments: bench-worker TRACE --kind K (--probe | --repetitions N) [--fa32-config C]
// [--expect-library L] --touch T. Only the probe reports a footprint, so a
// row's footprint shows that it came from the probe.
constexpr const char* kWorker = R"(#!/bin/sh
kind=; reps=; config=; touch=
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind=$2; shift ;;
    --repetitions) reps=$2; shift ;;
    --probe) reps=probe ;;
    --fa32-config) config=$2; shift ;;
    --touch) touch=$2; shift ;;
  esac
  shift
done
echo "$kind:$config:$reps" >> "$(dirname "$0")/calls.log"
echo "$touch" >> "$(dirname "$0")/touch.log"
case "$config" in
  crash) kill -SEGV $$ ;;
  hang) exec sleep 600 ;;
esac
case "$kind" in
  fastalloc32) ns=10 ;;
  *) ns=20 ;;
esac
footprint=null; verified=timed
if [ "$reps" = probe ]; then reps=0; footprint=8192; verified=probed; fi
echo "{\"schema_version\":1,\"events\":1000,\"repetitions\":$reps,\"replay_ns\":$((reps * 1000000)),\"ns_per_event\":$ns,\"replay_cpu_ns\":$((reps * 1000000)),\"cpu_ns_per_event\":$ns,\"peak_rss_bytes\":2000000,\"base_rss_bytes\":1000000,\"rss_peak_reset\":true,\"live_peak_bytes\":4096,\"footprint_peak_bytes\":$footprint,\"footprint_exact\":true,\"verified\":[\"$verified\"],\"allocator\":\"$kind\"}"
)";

struct StandIn {
  fs::path dir;
  std::string program;
  StandIn() {
    dir = fs::temp_directory_path() / ("fa32-bench-runner-" + std::to_string(getpid()));
    fs::create_directories(dir);
    program = (dir / "worker.sh").string();
    std::ofstream(program) << kWorker;
    chmod(program.c_str(), 0755);
  }
  ~StandIn() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::vector<std::string> calls(const char* log = "calls.log") const {
    std::ifstream in(dir / log);
    std::vector<std::string> v;
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

AllocatorSpec fa32_spec(std::string name, std::string config) {
  return {std::move(name), AllocatorKind::fastalloc32, std::move(config), ""};
}

// Options that run the stand-in worker `runs` times after `warmup` rounds.
RunnerOptions stand_in_options(const StandIn& w, int runs, int warmup, int min_run_ms) {
  RunnerOptions o;
  o.program = w.program;
  o.runs = runs;
  o.warmup = warmup;
  o.min_run_time = std::chrono::milliseconds(min_run_ms);
  return o;
}

// fastalloc32 "a" (config x) and glibc on a stand-in workload. Every run
// must report its progress exactly once: the count ends at the total the
// progress line shows (it used to pass it with --warmup 0: 10/8).
WorkloadResult run_pair(RunnerOptions o) {
  const std::vector<AllocatorSpec> allocators{fa32_spec("a", "x"), {"glibc", AllocatorKind::system, "", ""}};
  std::size_t steps = 0;
  o.progress = [&steps](const std::string&, const std::string&, int) { ++steps; };
  WorkloadResult r = run_workload({"t", "trace", "/dev/null", 1000, 4096}, allocators, o);
  CHECK(steps == progress_steps(allocators.size(), o));
  return r;
}

}  // namespace

TEST_CASE(
    "a probe round, then runs interleaved after a warm-up round, with repetitions fixed from the warm-up") {
  StandIn w;
  const RunnerOptions o = stand_in_options(w, 3, 1, 50);  // warm-up replay: 1 ms -> 50 repetitions
  const WorkloadResult r = run_pair(o);

  const std::vector<std::string> expected{
      "fastalloc32:x:probe", "system::probe",     // the probe round: footprint and checks, no timing
      "fastalloc32:x:1",     "system::1",         // warm-up round, one repetition
      "system::50",          "fastalloc32:x:50",  // then the rounds rotate: B A, A B, B A
      "fastalloc32:x:50",    "system::50",       "system::50", "fastalloc32:x:50",
  };
  CHECK(w.calls() == expected);
  CHECK(r.repetitions == 50);
  REQUIRE(r.allocators.size() == 2);
  CHECK(r.allocators[0].ns_per_event.size() == 3);
  CHECK(r.allocators[0].summary.median == doctest::Approx(10));
  CHECK(r.allocators[0].fastest);
  CHECK(*r.allocators[0].ratio_to_glibc == doctest::Approx(0.5));
  CHECK(*r.allocators[1].ratio_to_fastest == doctest::Approx(2.0));
  CHECK(r.allocators[0].replay_rss_bytes == 1000000);
  CHECK(*r.allocators[0].footprint_vs_live == doctest::Approx(2.0));  // the probe's 8192 bytes
  CHECK(r.allocators[0].verified == std::vector<std::string>{"probed", "timed"});
}

TEST_CASE("with no warm-up, a calibration round fixes the repetitions that --min-time asks for") {
  // --warmup 0 used to mean one repetition whatever --min-time said.
  StandIn w;
  const RunnerOptions o = stand_in_options(w, 2, 0, 50);  // calibration replay: 1 ms -> 50 repetitions
  const WorkloadResult r = run_pair(o);

  const std::vector<std::string> expected{
      "fastalloc32:x:probe", "system::probe",  // the probe round
      "fastalloc32:x:1",     "system::1",      // calibration: too short, not reported
      "system::50",          "fastalloc32:x:50", "fastalloc32:x:50", "system::50",  // rotated rounds
  };
  CHECK(w.calls() == expected);
  CHECK(r.repetitions == 50);
  REQUIRE(r.allocators.size() == 2);
  CHECK(r.allocators[0].ns_per_event.size() == 2);
  CHECK(r.allocators[1].ns_per_event.size() == 2);
  CHECK(r.allocators[0].verified == std::vector<std::string>{"probed", "timed"});
}

TEST_CASE("with no warm-up, a calibration round long enough is the first measured round") {
  // No run more than before for a trace that lasts --min-time already.
  StandIn w;
  const RunnerOptions o = stand_in_options(w, 3, 0, 1);  // calibration replay: 1 ms, long enough
  const WorkloadResult r = run_pair(o);

  const std::vector<std::string> expected{
      // The calibration round stands as run 1 (its place, B A, is passed
      // over); runs 2 and 3 come in A B, then B A.
      "fastalloc32:x:probe", "system::probe", "fastalloc32:x:1", "system::1",
      "fastalloc32:x:1",     "system::1",     "system::1",       "fastalloc32:x:1",
  };
  CHECK(w.calls() == expected);
  CHECK(r.repetitions == 1);
  REQUIRE(r.allocators.size() == 2);
  CHECK(r.allocators[0].ns_per_event.size() == 3);
  CHECK(r.allocators[1].ns_per_event.size() == 3);
  CHECK(r.allocators[0].summary.median == doctest::Approx(10));
  CHECK(r.allocators[0].replay_rss_bytes == 1000000);
  CHECK(r.allocators[0].verified == std::vector<std::string>{"probed", "timed"});
}

TEST_CASE("a worker that crashes or hangs is reported and not run again, the others finish") {
  StandIn w;
  RunnerOptions o;
  o.program = w.program;
  o.runs = 2;
  o.warmup = 1;
  o.min_run_time = std::chrono::milliseconds(0);
  o.timeout = std::chrono::milliseconds(300);
  const std::vector<AllocatorSpec> allocators{fa32_spec("good", "x"), fa32_spec("crashy", "crash"),
                                              fa32_spec("stuck", "hang")};
  std::size_t steps = 0;
  o.progress = [&steps](const std::string&, const std::string&, int) { ++steps; };
  const WorkloadResult r = run_workload({"t", "trace", "/dev/null", 1000, 4096}, allocators, o);
  CHECK(steps == progress_steps(allocators.size(), o));  // the failed rows' slots count as passed

  const std::vector<std::string> expected{"fastalloc32:x:probe",    "fastalloc32:crash:probe",
                                          "fastalloc32:hang:probe", "fastalloc32:x:1",
                                          "fastalloc32:x:1",        "fastalloc32:x:1"};
  CHECK(w.calls() == expected);
  CHECK(r.allocators[0].status == RunStatus::ok);
  CHECK(r.allocators[0].ns_per_event.size() == 2);
  CHECK(r.allocators[0].fastest);
  CHECK(r.allocators[1].status == RunStatus::failed);
  CHECK(r.allocators[1].message.find("probe: worker killed by signal 11") != std::string::npos);
  CHECK(r.allocators[2].status == RunStatus::failed);
  CHECK(r.allocators[2].message.find("timed out") != std::string::npos);
  CHECK_FALSE(r.allocators[1].fastest);
  CHECK(r.allocators[1].ns_per_event.empty());
}

TEST_CASE("every worker is told the touch mode, probe and warm-up runs included") {
  StandIn w;
  RunnerOptions o = stand_in_options(w, 2, 1, 0);
  o.touch = fa32::app::replay::Touch::all;
  const WorkloadResult r = run_pair(o);
  CHECK(r.allocators[0].status == RunStatus::ok);
  CHECK(w.calls("touch.log") == std::vector<std::string>(8, "all"));
}

TEST_CASE("replay RSS is the largest over the runs, and exact only when every run reset its peak") {
  RunnerOptions o;
  AllocatorRow row;
  WorkerResult r;
  r.base_rss_bytes = 100;
  r.peak_rss_bytes = 400;
  r.rss_peak_reset = false;  // the first run could not reset its peak...
  record_run(row, r, 0, o);
  CHECK(row.replay_rss_bytes == 300);
  CHECK_FALSE(row.rss_exact);
  r.peak_rss_bytes = 250;
  r.rss_peak_reset = true;  // ...and a later one could: the largest figure is still the first run's
  record_run(row, r, 1, o);
  CHECK(row.replay_rss_bytes == 300);
  CHECK(row.peak_rss_bytes == 400);
  CHECK_FALSE(row.rss_exact);

  AllocatorRow exact;
  record_run(exact, r, 0, o);
  record_run(exact, r, 1, o);
  CHECK(exact.rss_exact);
}

TEST_CASE("a finished row with an inexact replay RSS gets a note, and exact, empty or failed rows none") {
  BenchReport report;
  WorkloadResult w;
  w.name = "t.fa32";
  AllocatorRow inexact, exact, failed, empty;
  inexact.name = "glibc";
  inexact.replay_rss_bytes = 1 << 20;
  exact.name = "fa32";
  exact.replay_rss_bytes = 1 << 20;
  exact.rss_exact = true;
  failed.name = "tcmalloc";
  failed.status = RunStatus::failed;
  failed.replay_rss_bytes = 1 << 20;
  empty.name = "jemalloc";
  w.allocators = {inexact, exact, failed, empty};
  report.workloads.push_back(w);
  note_inexact_replay_rss(report);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("replay RSS of glibc on t.fa32 is not exact") == 0);
}
