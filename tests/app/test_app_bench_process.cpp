// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fa32/app/bench/child_process.hpp"
#include "fa32/app/bench/process_memory.hpp"
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
  CHECK(o.status == ChildOutcome::Status::exited);
  CHECK(o.exit_code == 127);
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
