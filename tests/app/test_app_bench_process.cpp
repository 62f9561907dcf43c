// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <sys/mman.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "fa32/app/bench/child_process.hpp"
#include "fa32/app/bench/process_memory.hpp"
#include "fa32/app/bench/runner.hpp"
#include "fa32/app/bench/worker_protocol.hpp"

using namespace fa32::app::bench;
using namespace std::chrono_literals;

TEST_CASE("a child's output, exit status and signal are reported") {
  ChildOutcome ok = run_child("/bin/sh", {"sh", "-c", "echo out; echo err >&2; exit 3"}, "", 60s);
  CHECK(ok.status == ChildOutcome::Status::exited);
  CHECK(ok.exit_code == 3);
  CHECK(ok.out == "out\n");
  CHECK(ok.err == "err\n");
  CHECK(describe(ok) == "exited with status 3");

  ChildOutcome killed = run_child("/bin/sh", {"sh", "-c", "kill -SEGV $$"}, "", 60s);
  CHECK(killed.status == ChildOutcome::Status::signaled);
  CHECK(killed.signal == SIGSEGV);
  CHECK(describe(killed).find("signal 11") != std::string::npos);
}

TEST_CASE("a child that outlives its time limit is killed and reported, not waited for") {
  ChildOutcome slow = run_child("/bin/sh", {"sh", "-c", "exec sleep 600"}, "", 200ms);
  CHECK(slow.status == ChildOutcome::Status::timed_out);
  CHECK(describe(slow).find("timed out") != std::string::npos);
}

TEST_CASE("LD_PRELOAD is set in the child only, and removed when not asked for") {
  ChildOutcome with = run_child("/bin/sh", {"sh", "-c", "printf %s \"$LD_PRELOAD\""}, "/no/such/lib.so", 60s);
  // The dynamic loader complains about the missing library on stderr and
  // carries on; the variable is what matters here.
  CHECK(with.out == "/no/such/lib.so");
  ChildOutcome without = run_child("/bin/sh", {"sh", "-c", "printf %s \"${LD_PRELOAD-unset}\""}, "", 60s);
  CHECK(without.out == "unset");
  const char* mine = getenv("LD_PRELOAD");
  CHECK(std::string(mine == nullptr ? "" : mine) != "/no/such/lib.so");
}

TEST_CASE("a program that cannot be executed is an exit status, not a crash") {
  ChildOutcome o = run_child("/no/such/program", {"x"}, "", 60s);
  CHECK(o.status == ChildOutcome::Status::spawn_failed);
  CHECK(describe(o) == "could not be started: /no/such/program: No such file or directory");
}

TEST_CASE("worker results round-trip through JSON and bad output is rejected") {
  WorkerResult r;
  r.events = 1000;
  r.repetitions = 3;
  r.replay_ns = 123456;
  r.ns_per_event = 41.152;
  r.replay_cpu_ns = 100000;
  r.cpu_ns_per_event = 33.3;
  r.peak_rss_bytes = 1 << 22;
  r.base_rss_bytes = 1 << 21;
  r.rss_peak_reset = true;
  r.live_peak_bytes = 4096;
  r.footprint_peak_bytes = 8192;
  r.footprint_exact = true;
  r.verified = {"a", "b"};
  r.allocator_description = "classes 16..4096";
  const WorkerResult back = worker_result_from_json(to_json_text(r));
  CHECK(back.events == 1000);
  CHECK(back.repetitions == 3);
  CHECK(back.replay_ns == 123456);
  CHECK(back.ns_per_event == doctest::Approx(41.152));
  CHECK(back.replay_cpu_ns == 100000);
  CHECK(back.cpu_ns_per_event == doctest::Approx(33.3));
  CHECK(back.peak_rss_bytes == r.peak_rss_bytes);
  CHECK(back.base_rss_bytes == r.base_rss_bytes);
  CHECK(back.rss_peak_reset);
  CHECK(back.footprint_peak_bytes == 8192u);
  CHECK(back.verified.size() == 2);
  CHECK(back.allocator_description == r.allocator_description);

  r.footprint_peak_bytes.reset();
  CHECK_FALSE(worker_result_from_json(to_json_text(r)).footprint_peak_bytes.has_value());

  CHECK_THROWS_AS(worker_result_from_json("not json"), std::runtime_error);
  CHECK_THROWS_AS(worker_result_from_json("{\"schema_version\":99}"), std::runtime_error);
  CHECK_THROWS_AS(worker_result_from_json("{\"schema_version\":1,\"events\":1}"), std::runtime_error);
}

TEST_CASE("worker arguments carry the request") {
  WorkerRequest q;
  q.trace = "/proc/1/fd/3";
  q.kind = AllocatorKind::fastalloc32;
  q.fa32_config = "classes=16,32";
  q.repetitions = 7;
  const std::vector<std::string> a = worker_arguments(q);
  REQUIRE(a.size() >= 8);
  CHECK(a[0] == worker_command);
  CHECK(a[1] == "/proc/1/fd/3");
  CHECK(std::find(a.begin(), a.end(), "fastalloc32") != a.end());
  CHECK(std::find(a.begin(), a.end(), "classes=16,32") != a.end());
  CHECK(std::find(a.begin(), a.end(), "7") != a.end());
  // The default touch mode travels too, and a chosen one follows its flag.
  auto touch_arg = [](const std::vector<std::string>& v) {
    const auto it = std::find(v.begin(), v.end(), "--touch");
    return it == v.end() || it + 1 == v.end() ? std::string("(none)") : *(it + 1);
  };
  CHECK(touch_arg(a) == "first");
  q.touch = fa32::app::replay::Touch::all;
  CHECK(touch_arg(worker_arguments(q)) == "all");
}

TEST_CASE("this process's memory figures are readable, and the peak can be reset") {
  const std::uint64_t rss = current_rss_bytes();
  CHECK(rss > 0);
  CHECK(peak_rss_bytes() >= rss);
  // Touch 64 MiB, give it back, and the high-water mark stays up until reset.
  const std::size_t n = std::size_t{64} << 20;
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  std::memset(p, 1, n);
  munmap(p, n);
  const std::uint64_t high = peak_rss_bytes();
  CHECK(high >= n);
  if (reset_peak_rss()) CHECK(peak_rss_bytes() + n / 2 < high);
  CHECK(library_mapped("libc.so.6"));
  CHECK_FALSE(library_mapped("libno-such-library.so.9"));
}

TEST_CASE("worker arguments carry the memory limit, and leave it out when there is none") {
  WorkerRequest q;
  q.trace = "t";
  const std::vector<std::string> none = worker_arguments(q);
  CHECK(std::find(none.begin(), none.end(), "--memory-limit") == none.end());
  q.memory_limit = 123456789;
  const std::vector<std::string> some = worker_arguments(q);
  const auto at = std::find(some.begin(), some.end(), "--memory-limit");
  REQUIRE(at != some.end());
  REQUIRE(at + 1 != some.end());
  CHECK(*(at + 1) == "123456789");
}

TEST_CASE("the worker's memory watch: the limit, half again, 16 bytes per event and 512 MiB") {
  CHECK(worker_rss_watch(UINT64_MAX, 1000) == 0);
  const std::uint64_t gib = std::uint64_t{1} << 30;
  CHECK(worker_rss_watch(gib, 1000) == gib + gib / 2 + 16000 + (std::uint64_t{512} << 20));
  CHECK(worker_rss_watch(UINT64_MAX - 1, UINT64_MAX) == UINT64_MAX);  // saturates
}

TEST_CASE("a child whose resident memory passes the watch is killed and reported, not left to grow") {
  // 128 blocks of 16 MiB, each written in full (--touch all): 2 GiB if
  // nothing stopped it; the watch stops it at 256 MiB.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fa32-rss-watch-" + std::to_string(getpid()) + ".jsonl"))
          .string();
  {
    std::ofstream f(path);
    f << "{\"format\":\"fa32-trace\",\"version\":1}\n";
    for (int i = 0; i < 128; ++i) f << "{\"op\":\"malloc\",\"id\":" << i << ",\"size\":16777216}\n";
  }
  const std::uint64_t watch = std::uint64_t{256} << 20;
  ChildOutcome o = run_child(
      FA32_BINARY, {FA32_BINARY, "replay", path, "--touch", "all", "--memory-limit", "4G"}, "", 600s, watch);
  std::filesystem::remove(path);
  INFO(o.err);
  CHECK(o.status == ChildOutcome::Status::memory_exceeded);
  CHECK(o.rss_limit == watch);
  CHECK(o.max_rss_bytes > watch);
  CHECK(describe(o).find("resident memory passed 256 MiB") != std::string::npos);

  // A child that stays small is not touched by the watch, and its peak is reported.
  ChildOutcome small = run_child("/bin/sh", {"sh", "-c", "exit 0"}, "", 60s, watch);
  CHECK(small.status == ChildOutcome::Status::exited);
  CHECK(small.max_rss_bytes > 0);
  CHECK(small.max_rss_bytes < watch);
}
