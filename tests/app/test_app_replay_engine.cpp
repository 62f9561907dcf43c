// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/app/bench/allocator_spec.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/mapped_array.hpp"
#include "fa32/app/replay/system_allocator.hpp"
#include "fa32/traces/writer.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app::replay;
using namespace fa32::test;

TEST_CASE("a mapped array grows, keeps its contents and reads zero beyond them") {
  MappedArray<std::uint64_t> a;
  for (std::uint64_t i = 0; i < 100000; ++i) a.push_back(i * 3);
  CHECK(a.size() == 100000);
  for (std::uint64_t i = 0; i < 100000; i += 997) CHECK(a[i] == i * 3);
  a.resize(300000);
  CHECK(a[250000] == 0);
  CHECK(a[99999] == 99999 * 3);
}

TEST_CASE("to_replay_event packs op, id, size, alignment and calloc totals") {
  fa32::traces::Event e;
  e.op = Op::calloc;
  e.id = 42;
  e.size = 24;
  e.count = 3;
  ReplayEvent r = to_replay_event(e, 0);
  CHECK(r.op() == Op::calloc);
  CHECK(r.id() == 42);
  CHECK(r.size == 72);
  e.count = UINT64_MAX;
  CHECK(to_replay_event(e, 0).size == UINT64_MAX);
  e = {};
  e.op = Op::aligned_alloc;
  e.alignment = 4096;
  e.size = 10;
  r = to_replay_event(e, 0);
  CHECK(r.alignment() == 4096);
  e.alignment = 48;
  CHECK(to_replay_event(e, 0).align_log2() == ReplayEvent::bad_alignment);
  e.id = ReplayEvent::max_id + 1;
  CHECK_THROWS_AS(to_replay_event(e, 7), fa32::traces::TraceError);
}

TEST_CASE("live bytes, peaks, temporaries and leaks, event by event") {
  // 0: malloc a 100        live 100
  // 1: malloc b 50         live 150
  // 2: free b              live 100  (b is temporary: freed by the very next event)
  // 3: realloc a 300       live 300  peak 300 at event 3
  // 4: malloc c 10         live 310  peak 310 at event 4, 2 live
  // 5: free a              live 10
  // 6: malloc d 1          live 11   (c and d leak)
  const std::vector<ReplayEvent> evs{ev_malloc(0, 100), ev_malloc(1, 50), ev_free(1),     ev_realloc(0, 300),
                                     ev_malloc(2, 10),  ev_free(0),       ev_malloc(3, 1)};
  TestAllocator a;
  ReplayOptions o;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  CHECK(r.events == 7);
  CHECK(r.op_counts[static_cast<int>(Op::malloc)] == 4);
  CHECK(r.op_counts[static_cast<int>(Op::free)] == 2);
  CHECK(r.op_counts[static_cast<int>(Op::realloc)] == 1);
  CHECK(r.live_bytes == 11);
  CHECK(r.live_allocs == 2);
  CHECK(r.peak_live_bytes == 310);
  CHECK(r.peak_live_bytes_event == 4);
  CHECK(r.peak_live_allocs == 2);
  CHECK(r.temporary_allocs == 1);
  CHECK(r.realloc_in_place + r.realloc_moved == 1);
  // The test allocator's footprint is 100 per live block: 2 blocks at the peak.
  CHECK(r.at_peak_live.footprint == 200);
  CHECK(r.leak_count == 2);
  CHECK(r.leak_bytes == 11);
  REQUIRE(r.leaks.size() == 2);
  CHECK(r.leaks[0].id == 2);
  CHECK(r.leaks[0].event == 4);
  CHECK(r.leaks[1].id == 3);
  CHECK(r.leaks[1].size == 1);
  // sizes 100, 50, 300, 10, 1 -> bins <=128, <=64, <=512, <=16, <=1
  CHECK(r.size_histogram[7] == 1);
  CHECK(r.size_histogram[6] == 1);
  CHECK(r.size_histogram[9] == 1);
  CHECK(r.size_histogram[4] == 1);
  CHECK(r.size_histogram[0] == 1);
}

TEST_CASE("the leak list keeps the first N by allocating event, all are counted") {
  std::vector<ReplayEvent> evs;
  // ids allocated in descending order so id order and event order differ.
  for (std::uint64_t i = 0; i < 20; ++i) evs.push_back(ev_malloc(19 - i, 8));
  TestAllocator a;
  ReplayOptions o;
  o.leak_limit = 3;
  const ReplayResult r = replay(evs, a, o);
  CHECK(r.leak_count == 20);
  CHECK(r.leak_bytes == 160);
  REQUIRE(r.leaks.size() == 3);
  CHECK(r.leaks[0].id == 19);
  CHECK(r.leaks[0].event == 0);
  CHECK(r.leaks[2].id == 17);
}

TEST_CASE("invalid events stop the replay with the event index, or are counted under --lenient") {
  const std::vector<ReplayEvent> evs{
      ev_malloc(0, 8),  ev_free(5),       ev_free(0),
      ev_free(0),       ev_malloc(1, 8),  ev_malloc(1, 8),
      ev_realloc(9, 4), ev_realloc(0, 4), ev_aligned(2, 8, ReplayEvent::bad_alignment),
      ev_free(1)};
  SUBCASE("strict") {
    TestAllocator a;
    const ReplayResult r = replay(evs, a, ReplayOptions{});
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid_event);
    CHECK(r.error->event == 1);
    CHECK(r.error->message.find("event 1") != std::string::npos);
    CHECK(r.error->message.find("never allocated") != std::string::npos);
    CHECK(r.events == 1);
  }
  SUBCASE("lenient") {
    TestAllocator a;
    ReplayOptions o;
    o.lenient = true;
    const ReplayResult r = replay(evs, a, o);
    CHECK_FALSE(r.error);
    CHECK(r.events == evs.size());
    CHECK(r.invalid.unknown_id == 2);   // free 5, realloc 9
    CHECK(r.invalid.double_free == 2);  // free 0 again, realloc 0 after free
    CHECK(r.invalid.id_in_use == 1);    // malloc 1 twice
    CHECK(r.invalid.bad_alignment == 1);
    CHECK(r.live_allocs == 0);
    CHECK(a.live() == 0);
  }
}

// events.total is the events replayed; the one the replay stopped at was
// counted in its op too (total 1 but malloc 1 and free 1).
TEST_CASE("a replay stopped by an invalid event counts it in neither events.total nor its op") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 8), ev_malloc(1, 8), ev_free(7), ev_free(0)};
  TestAllocator a;
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  REQUIRE(r.error);
  CHECK(r.error->event == 2);
  CHECK(r.events == 2);
  CHECK(r.op_counts[static_cast<std::size_t>(Op::malloc)] == 2);
  CHECK(r.op_counts[static_cast<std::size_t>(Op::free)] == 0);
  std::uint64_t sum = 0;
  for (std::uint64_t n : r.op_counts) sum += n;
  CHECK(sum == r.events);
  // Under --lenient the invalid event is skipped and counted in both.
  ReplayOptions lenient;
  lenient.lenient = true;
  const ReplayResult l = replay(evs, a, lenient);
  CHECK_FALSE(l.error);
  CHECK(l.events == 4);
  CHECK(l.op_counts[static_cast<std::size_t>(Op::free)] == 2);
}

TEST_CASE(
    "realloc to size 0 keeps the id live, and a failed allocation's later free is skipped, not invalid") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 8), ev_realloc(0, 0),    ev_malloc(1, 1000), ev_free(1),
                                     ev_malloc(2, 8), ev_realloc(2, 5000), ev_free(2)};
  LimitedAllocator a(100);
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  CHECK_FALSE(r.error);
  CHECK(r.realloc_to_zero == 1);
  CHECK(r.failed_allocs == 1);
  CHECK(r.skipped_after_fail == 1);
  CHECK(r.failed_reallocs == 1);
  CHECK(r.live_allocs == 1);  // id 0, 0 bytes, though the allocator returned NULL
  CHECK(r.live_bytes == 0);
  CHECK(r.leak_count == 1);
  CHECK(a.live() == 0);
}

// The rule is the trace's, as `fa32 validate` has it, not the allocator's:
// a realloc to 0 leaves the id live with 0 bytes. With an allocator whose
// realloc(p, 0) frees p and returns NULL, the id was marked freed, so a
// later free of it was a "double free" (la.jsonl: malloc, realloc to 0,
// free) and a later malloc of it was accepted; with one that returns a
// block (mimalloc), neither.
TEST_CASE("realloc to size 0 leaves the id live with 0 bytes, whatever the allocator returns") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 16),  ev_realloc(0, 0), ev_free(0),  // then freed
                                     ev_malloc(1, 16),  ev_realloc(1, 0), ev_realloc(1, 0),
                                     ev_realloc(1, 32), ev_free(1),                    // grown again
                                     ev_malloc(2, 0),   ev_realloc(2, 0), ev_free(2),  // from size 0
                                     ev_malloc(3, 8),   ev_realloc(3, 0)};             // live at the end
  const std::vector<ReplayEvent> reuse{ev_malloc(0, 16), ev_realloc(0, 0), ev_malloc(0, 16)};
  auto check = [&](Allocator& a, bool verify) {
    ReplayOptions o;
    o.verify = verify;
    const ReplayResult r = replay(evs, a, o);
    CHECK_FALSE(r.error);
    CHECK(r.events == evs.size());
    CHECK(r.realloc_to_zero == 5);
    CHECK(r.live_allocs == 1);
    CHECK(r.live_bytes == 0);
    CHECK(r.leak_count == 1);
    CHECK(r.leak_bytes == 0);
    REQUIRE(r.leaks.size() == 1);
    CHECK(r.leaks[0].id == 3);
    // An allocation of an id a realloc to 0 left live is invalid everywhere.
    const ReplayResult bad = replay(reuse, a, o);
    REQUIRE(bad.error);
    CHECK(bad.error->kind == ErrorKind::invalid_event);
    CHECK(bad.error->event == 2);
    CHECK(bad.error->message.find("still live") != std::string::npos);
  };
  for (bool verify : {false, true}) {
    CAPTURE(verify);
    {
      TestAllocator a;  // realloc(p, 0): frees, NULL
      check(a, verify);
      CHECK(a.live() == 0);
    }
    {
      ZeroBlockAllocator a;  // realloc(p, 0): a block
      check(a, verify);
      CHECK(a.live() == 0);
    }
    {
      SystemAllocator a;  // glibc: frees, NULL
      check(a, verify);
    }
  }
}

TEST_CASE("--verify finds two live blocks at the same address") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 64), ev_malloc(1, 64), ev_free(0), ev_free(1)};
  SUBCASE("caught with --verify") {
    OverlappingAllocator a;
    ReplayOptions o;
    o.verify = true;
    const ReplayResult r = replay(evs, a, o);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::corruption);
    CHECK(r.error->event == 2);
    CHECK(r.error->message.find("id 0") != std::string::npos);
  }
  SUBCASE("unnoticed without") {
    OverlappingAllocator a;
    const ReplayResult r = replay(evs, a, ReplayOptions{});
    CHECK_FALSE(r.error);
  }
}

TEST_CASE("--verify checks alignment and calloc zeroing") {
  SUBCASE("misaligned") {
    MisaligningAllocator a;
    ReplayOptions o;
    o.verify = true;
    const std::vector<ReplayEvent> evs{ev_malloc(0, 32), ev_free(0)};
    const ReplayResult r = replay(evs, a, o);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::misaligned);
    CHECK(r.error->event == 0);
  }
  SUBCASE("dirty calloc") {
    DirtyCallocAllocator a;
    ReplayOptions o;
    o.verify = true;
    const std::vector<ReplayEvent> evs{ev_malloc(0, 32), ev_calloc(1, 40)};
    const ReplayResult r = replay(evs, a, o);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::calloc_not_zero);
    CHECK(r.error->event == 1);
  }
}

TEST_CASE("--verify keeps contents across realloc through the system allocator") {
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 64; ++i) evs.push_back(ev_malloc(i, 8 + i * 13));
  for (std::uint64_t i = 0; i < 64; ++i) evs.push_back(ev_realloc(i, 4000 - i * 50));
  for (std::uint64_t i = 0; i < 64; i += 2) evs.push_back(ev_free(i));
  SystemAllocator a;
  ReplayOptions o;
  o.verify = true;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  CHECK(r.leak_count == 32);
}

TEST_CASE("the pattern helpers find the first changed byte") {
  std::vector<unsigned char> buf(37);
  fill_pattern(buf.data(), buf.size(), 5);
  CHECK(check_pattern(buf.data(), buf.size(), 5) == buf.size());
  CHECK(check_pattern(buf.data(), buf.size(), 6) == 0);
  buf[33] ^= 1;
  CHECK(check_pattern(buf.data(), buf.size(), 5) == 33);
}

TEST_CASE("snapshots every N events, plus one at the end") {
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 10; ++i) evs.push_back(ev_malloc(i, 16));
  TestAllocator a;
  ReplayOptions o;
  o.snapshot_every = 4;
  const ReplayResult r = replay(evs, a, o);
  REQUIRE(r.snapshots.size() == 3);
  CHECK(r.snapshots[0].events == 4);
  CHECK(r.snapshots[0].live_bytes == 64);
  CHECK(r.snapshots[1].events == 8);
  CHECK(r.snapshots[1].live_allocs == 8);
  CHECK(r.snapshots[2].events == 10);
  CHECK(r.snapshots[2].footprint == 1000);
  CHECK(r.snapshot_interval == 4);
}

TEST_CASE("a snapshot after every event of a long replay stays bounded and evenly spaced") {
  // Each snapshot was kept, 1.7 KB apiece: --snapshot-every 1 took 527 MB
  // on 300 000 events and ran out of memory on 3 million.
  for (const std::uint64_t n : {std::uint64_t{max_snapshots}, std::uint64_t{max_snapshots} + 1,
                                std::uint64_t{3 * max_snapshots + 7}, std::uint64_t{40000}}) {
    CAPTURE(n);
    std::vector<ReplayEvent> evs;
    for (std::uint64_t i = 0; i < n; ++i) evs.push_back(i % 2 == 0 ? ev_malloc(i / 2, 16) : ev_free(i / 2));
    TestAllocator a;
    ReplayOptions o;
    o.snapshot_every = 1;
    const ReplayResult r = replay(evs, a, o);
    const std::uint64_t every = r.snapshot_interval;
    // The smallest doubling of 1 under which the snapshots due within the
    // replay (at most n - 1 events done: the one at n is the end's) fit.
    std::uint64_t want = 1;
    while ((n - 1) / want > max_snapshots) want *= 2;
    CHECK(every == want);
    // Evenly spaced at the interval reported, then one after the last event.
    REQUIRE(r.snapshots.size() >= 2);
    CHECK(r.snapshots.size() <= max_snapshots + 1);
    const std::size_t grid =
        r.snapshots.back().events % every == 0 ? r.snapshots.size() : r.snapshots.size() - 1;
    for (std::size_t i = 0; i < grid; ++i) CHECK(r.snapshots[i].events == (i + 1) * every);
    CHECK(r.snapshots.back().events == n);
    if (every > 1) CHECK(r.snapshots.size() >= max_snapshots / 2);
    // Each snapshot holds its own figures, not a neighbour's.
    for (const Snapshot& s : r.snapshots) CHECK(s.live_allocs == s.events % 2);
  }
}

TEST_CASE("the snapshot store thins to every other snapshot and keeps each one's class blocks") {
  SnapshotStore st;
  st.start(3, 4);
  AllocatorSample a;
  a.class_count = 2;
  while (st.next() <= 30) {
    const std::uint64_t e = st.next();
    a.class_blocks[0] = e;
    a.class_blocks[1] = e * 10;
    a.class_blocks[2] = 99;  // beyond class_count: not kept
    st.add(e, e, e, a);
  }
  // 3 6 9 12, full at 15: 6 12 then 18 24, full at 30: 12 24 then (30 is not on 24's grid).
  CHECK(st.interval() == 12);
  st.add_extra(31, 31, 31, a);
  const std::vector<Snapshot> s = st.snapshots();
  REQUIRE(s.size() == 3);
  CHECK(s[0].events == 12);
  CHECK(s[1].events == 24);
  CHECK(s[2].events == 31);
  CHECK(s[0].class_blocks == std::vector<std::uint64_t>{12, 120});
  CHECK(s[1].class_blocks == std::vector<std::uint64_t>{24, 240});
}

TEST_CASE("touch modes write into the blocks as documented") {
  // calloc memory starts zero, so every byte the replayer wrote shows.
  const std::vector<ReplayEvent> evs{ev_calloc(0, 10000)};
  auto bytes_after = [&](Touch t) {
    TestAllocator a;
    ReplayOptions o;
    o.touch = t;
    Replayer r(a, o);
    r.feed(evs);
    const ReplayResult res = r.finish();
    CHECK(res.leak_count == 1);
    const auto* p = static_cast<const unsigned char*>(a.first());
    return std::vector<unsigned char>(p, p + 10000);
  };
  const auto none = bytes_after(Touch::none);
  CHECK(std::count(none.begin(), none.end(), 0) == 10000);
  const auto first = bytes_after(Touch::first);
  CHECK(first[0] == 1);
  CHECK(first[4096] == 1);
  CHECK(first[8192] == 1);
  CHECK(std::count(first.begin(), first.end(), 0) == 10000 - 3);
  const auto all = bytes_after(Touch::all);
  CHECK(std::count(all.begin(), all.end(), 0x5a) == 10000);
  CHECK(touch_from_name("first") == Touch::first);
  CHECK_FALSE(touch_from_name("some"));
}

TEST_CASE("streaming and preloading the same trace give the same figures") {
  std::stringstream buf;
  fa32::traces::TraceHeader h;
  auto w = fa32::traces::create_writer(buf, fa32::traces::Format::binary, h);
  for (std::uint64_t i = 0; i < 20000; ++i) {
    fa32::traces::Event e;
    e.op = Op::malloc;
    e.id = i % 300;
    e.size = 8 + (i * 7) % 120;
    if (i >= 300) {
      fa32::traces::Event f;
      f.op = Op::free;
      f.id = i % 300;
      w->write(f);
    }
    w->write(e);
  }
  w->finish();
  const std::string bytes = buf.str();
  std::istringstream in1(bytes);
  auto r1 = fa32::traces::open_trace(in1, "mem");
  LoadedTrace t = load_events(*r1);
  CHECK(t.events.size() == 20000 + 19700);
  CHECK(t.max_id == 299);
  SystemAllocator a1;
  const ReplayResult pre = replay(t.events.span(), a1, ReplayOptions{});
  std::istringstream in2(bytes);
  auto r2 = fa32::traces::open_trace(in2, "mem");
  SystemAllocator a2;
  const ReplayResult str = replay_stream(*r2, a2, ReplayOptions{});
  CHECK(pre.events == str.events);
  CHECK(pre.peak_live_bytes == str.peak_live_bytes);
  CHECK(pre.leak_count == 300);
  CHECK(str.leak_count == 300);
  CHECK(pre.temporary_allocs == str.temporary_allocs);
}

namespace {

// Runs body in a fresh process: this binary again, on the test case named
// by case_filter alone. The test cases before it in this binary leave
// holes between live chunks of glibc's heap, which no trim gives back, and
// change glibc's mmap threshold: a test of glibc's footprint needs a heap
// of its own.
void in_fresh_process(const char* case_filter, void (*body)()) {
  if (const char* marker = std::getenv("FA32_FRESH_HEAP_MARKER")) {
    body();
    std::ofstream(marker) << "ran";
    return;
  }
  const std::string marker =
      (std::filesystem::temp_directory_path() / ("fa32-fresh-heap-" + std::to_string(::getpid()))).string();
  std::filesystem::remove(marker);
  const std::string filter = std::string("--test-case=") + case_filter;
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("FA32_FRESH_HEAP_MARKER", marker.c_str(), 1);
    ::execl("/proc/self/exe", "fa32_app_tests", filter.c_str(), "--minimal", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(std::filesystem::exists(marker));  // the case ran there, not a filter matching none
  std::filesystem::remove(marker);
}

void check_glibc_footprint_counts_the_trace() {
  std::vector<void*> scratch;
  std::vector<void*> blocks;
  scratch.reserve(4096);
  blocks.reserve(2048);
  for (int i = 0; i < 4096; ++i) scratch.push_back(std::malloc(100));  // about 450 KiB of heap
  for (void* p : scratch) std::free(p);                                // free again: the heap keeps it
  SystemAllocator a;
  for (int i = 0; i < 2048; ++i) blocks.push_back(a.malloc(100));  // about 230 KiB
  const std::uint64_t footprint = a.sample().footprint;
  for (void* p : blocks) a.free(p);
  if (fa32::app::bench::built_with_asan()) {
    // ASan's malloc serves the blocks: glibc's heap, which mallinfo2
    // describes, never sees them (the bench reports no figure there).
    CHECK(footprint < 2048u * 100u);
  } else {
    CHECK(footprint >= 2048u * 100u);
  }
}

// 3 MiB of 1 KiB blocks, every other one freed (holes no 1 MiB block
// fits), then a 1 MiB block allocated and freed: the footprint's peak
// comes with that block, below the peak of live bytes, and is gone by the
// end. Sampled at the peak of live bytes and at the end alone, glibc's
// peak would read 1 MiB low.
std::vector<ReplayEvent> peak_between_samples() {
  std::vector<ReplayEvent> ev;
  for (std::uint64_t i = 0; i < 3072; ++i) ev.push_back(ev_malloc(i, 1024));
  for (std::uint64_t i = 0; i < 3072; i += 2) ev.push_back(ev_free(i));
  ev.push_back(ev_malloc(3072, 1u << 20));
  ev.push_back(ev_free(3072));
  return ev;
}

void check_glibc_peak_is_exact(const std::string& path) {
  const std::vector<ReplayEvent> ev = peak_between_samples();
  SystemAllocator a;
  const ReplayResult r = replay(ev, a, ReplayOptions{});
  CAPTURE(path);
  CHECK(r.footprint_peak_exact);
  if (fa32::app::bench::built_with_asan()) {
    CHECK(r.footprint_peak == 0);  // ASan's mallinfo2 has no figures (see above)
    return;
  }
  CHECK(r.at_peak_live.footprint >= (2u << 20));
  CHECK(r.at_end.footprint < r.at_peak_live.footprint + (1u << 19));
  CHECK(r.footprint_peak >= r.at_peak_live.footprint + (1u << 20));

  // A timed replay does not watch: its figures are samples, not exact.
  SystemAllocator b;
  ReplayOptions timed;
  timed.sample_peaks = false;
  CHECK_FALSE(replay(ev, b, timed).footprint_peak_exact);
}

void check_glibc_peak_is_exact_both_ways() {
  // A fresh heap maps a 1 MiB block of its own (glibc's threshold starts
  // at 128 KiB): the footprint's mmapped part grows.
  check_glibc_peak_is_exact("mmapped chunk");
  // With the threshold above it, the block comes from the heap's top: the
  // break moves up, and the free gives it back. (Freeing the mmapped block
  // above raised glibc's trim threshold to twice its size: set it back.)
  // ASan's malloc has no such thresholds (its mallopt refuses them), and
  // glibc's heap never sees the blocks there.
  if (fa32::app::bench::built_with_asan()) return;
  REQUIRE(mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1);
  REQUIRE(mallopt(M_TRIM_THRESHOLD, 128 << 10) == 1);
  check_glibc_peak_is_exact("brk heap");
}

}  // namespace

TEST_CASE("glibc's footprint counts the trace's blocks, not free heap the process had before") {
  // Free space left in the heap before the replay would take the trace's
  // first blocks without the heap growing, and glibc's footprint would read
  // low: the system allocator gives it back before taking its baseline.
  // (Space freed at the heap's top: free space between live blocks stays
  // in glibc's arena, and no baseline can tell it from the trace's.)
  // Run in one process with the others, it read 0.
  in_fresh_process("glibc's footprint counts the trace's blocks*", check_glibc_footprint_counts_the_trace);
}

TEST_CASE("glibc's footprint peak is exact: watched after every call that can grow the heap") {
  in_fresh_process("glibc's footprint peak is exact*", check_glibc_peak_is_exact_both_ways);
}
