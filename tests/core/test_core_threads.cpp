// SPDX-License-Identifier: GPL-3.0-or-later
// The header's threading promise: a manager is not thread-safe, but there
// is no global state, so separate managers used from separate threads at
// once do not interfere, and a manager may move from thread to thread
// between uses (with the synchronisation a lock around it gives). Each
// worker keeps its own model and only records what it saw; the main thread
// asserts once the workers are joined (doctest's REQUIRE must not throw
// from another thread). Run under ThreadSanitizer, these walks reported
// nothing; in the normal and ASan builds they check contents and exact
// per-manager counters.
#include <doctest/doctest.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

// What a worker saw, and its model of the manager's counters.
struct Tally {
  uint64_t mallocs = 0, frees = 0, reallocs = 0;
  uint64_t null_results = 0;  // allocations that failed
  uint64_t bad_contents = 0;  // a block's pattern was not what was written
  uint64_t bad_calloc = 0;    // calloc gave non-zero bytes
  uint64_t bad_align = 0;
  uint64_t check_failures = 0;   // fastalloc32_check
  uint64_t stat_mismatches = 0;  // stats disagreeing with the model
};

size_t random_size(std::mt19937_64& rng) {
  const uint64_t r = rng() % 1000;
  if (r < 600) return rng() % 257;                  // the small classes
  if (r < 900) return 257 + rng() % 16000;          // the larger classes, small large blocks
  if (r < 998) return 16384 + rng() % (160 << 10);  // the large arena
  return (1 << 20) + rng() % (1 << 20);             // mapped
}

// The model against the manager's own figures: counters, gauges, the live
// walk, the pool blocks by kind, and check.
void audit(fastalloc32_mm* mm, const std::vector<Block>& live, Tally& t) {
  if (fastalloc32_check(mm) != FASTALLOC32_OK) ++t.check_failures;
  fastalloc32_stats s{};
  s.size = sizeof(s);
  if (fastalloc32_get_stats(mm, &s) != FASTALLOC32_OK) ++t.stat_mismatches;
  uint64_t bytes = 0, pool = 0;
  for (const Block& b : live) {
    bytes += b.size;
    if (fastalloc32_kind_of(mm, b.ptr) == FASTALLOC32_KIND_POOL) ++pool;
    if (!verify(b.ptr, b.size, b.id)) ++t.bad_contents;
  }
  if (s.mallocs != t.mallocs || s.frees != t.frees || s.reallocs != t.reallocs ||
      s.live_allocs.current != live.size() || s.bytes_requested.current != bytes ||
      s.pool_blocks.current != pool || s.invalid_frees + s.double_frees + s.interior_frees != 0 ||
      live_count(mm) != live.size())
    ++t.stat_mismatches;
}

void free_block(fastalloc32_mm* mm, std::vector<Block>& live, size_t i, Tally& t) {
  if (!verify(live[i].ptr, live[i].size, live[i].id)) ++t.bad_contents;
  fastalloc32_free(mm, live[i].ptr);
  ++t.frees;
  live[i] = live.back();
  live.pop_back();
}

// One random call: malloc, calloc, aligned_alloc, realloc or free. Ids are
// distinct across workers (id_base), so a block written by another
// manager's caller would not pass verify.
void step(fastalloc32_mm* mm, std::mt19937_64& rng, std::vector<Block>& live, uint64_t& next_id, Tally& t) {
  const uint64_t op = rng() % 100;
  if (op < 45 || live.empty()) {
    size_t n = random_size(rng);
    void* p = nullptr;
    switch (rng() % 4) {
      case 0:
        p = fastalloc32_malloc(mm, n);
        break;
      case 1: {
        const size_t count = 1 + rng() % 4;
        n = n / count * count;
        p = fastalloc32_calloc(mm, count, n / count);
        if (p != nullptr && !all_zero(p, n)) ++t.bad_calloc;
        break;
      }
      case 2: {
        const size_t align = size_t(1) << (4 + rng() % 9);
        p = fastalloc32_aligned_alloc(mm, align, n);
        if (p != nullptr && reinterpret_cast<uintptr_t>(p) % align != 0) ++t.bad_align;
        break;
      }
      default:
        p = fastalloc32_realloc(mm, nullptr, n);
        break;
    }
    if (p == nullptr) {
      ++t.null_results;
      return;
    }
    ++t.mallocs;
    const uint64_t id = next_id++;
    fill(p, n, id);
    live.push_back({p, n, id});
  } else if (op < 80) {
    free_block(mm, live, rng() % live.size(), t);
  } else {
    Block& b = live[rng() % live.size()];
    const size_t n = 1 + random_size(rng);
    if (!verify(b.ptr, b.size, b.id)) ++t.bad_contents;
    void* q = fastalloc32_realloc(mm, b.ptr, n);
    if (q == nullptr) {
      ++t.null_results;
      return;
    }
    ++t.reallocs;
    if (!verify(q, b.size < n ? b.size : n, b.id)) ++t.bad_contents;
    b = {q, n, b.id};
    fill(q, n, b.id);
  }
}

void expect_clean(const Tally& t) {
  CHECK(t.null_results == 0);
  CHECK(t.bad_contents == 0);
  CHECK(t.bad_calloc == 0);
  CHECK(t.bad_align == 0);
  CHECK(t.check_failures == 0);
  CHECK(t.stat_mismatches == 0);
}

// A config per worker, so the threads take every path at once: hooks on
// the default config, a pool that never grows (fallback slabs from a
// malloc hook), trims with peaks, wiping with a small large cache.
fastalloc32_config worker_config(int i, SystemSpy& spy, ErrorLog& log) {
  fastalloc32_config c;
  switch (i % 4) {
    case 0:
      fastalloc32_config_init(&c);
      spy.attach(c);
      break;
    case 1:
      c = small_config(4096);
      spy.attach_malloc(c);
      break;
    case 2:
      REQUIRE(fastalloc32_config_preset(&c, "compact") == FASTALLOC32_OK);
      c.track_peaks = 1;
      break;
    default:
      REQUIRE(fastalloc32_config_preset(&c, "profiling") == FASTALLOC32_OK);
      c.secure_zero = 1;
      c.large_cache_bytes = 256 << 10;
      break;
  }
  log.attach(c);
  return c;
}

// Lets every worker start its walk at once.
class StartLine {
 public:
  explicit StartLine(int n) : waiting_(n) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (--waiting_ == 0) cv_.notify_all();
    cv_.wait(lock, [this] { return waiting_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_;
};

}  // namespace

TEST_CASE("threads: separate managers on separate threads at once keep their blocks and counters apart") {
  constexpr int kWorkers = 4;
  constexpr int kSteps = 12000;
  struct Worker {
    SystemSpy spy;
    ErrorLog log;
    fastalloc32_mm* mm = nullptr;
    std::vector<Block> live;
    Tally tally;
  };
  std::vector<Worker> w(kWorkers);
  for (int i = 0; i < kWorkers; ++i) {
    const fastalloc32_config c = worker_config(i, w[i].spy, w[i].log);
    w[i].mm = fastalloc32_create_with(&c, nullptr);
    REQUIRE(w[i].mm != nullptr);
  }
  StartLine start(kWorkers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&w, &start, i] {
      Worker& me = w[i];
      std::mt19937_64 rng(0x7417 + i);
      uint64_t next_id = uint64_t(i) << 40;
      start.arrive_and_wait();
      for (int k = 1; k <= kSteps; ++k) {
        step(me.mm, rng, me.live, next_id, me.tally);
        while (me.live.size() > 250) free_block(me.mm, me.live, rng() % me.live.size(), me.tally);
        if (k % 3000 == 0) audit(me.mm, me.live, me.tally);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  for (int i = 0; i < kWorkers; ++i) {
    CAPTURE(i);
    Worker& me = w[i];
    expect_clean(me.tally);
    CHECK(me.tally.mallocs > kSteps / 3);
    CHECK(me.log.entries.empty());
    // No manager owns another's blocks.
    for (const Block& b : me.live) {
      for (int j = 0; j < kWorkers; ++j) {
        if (j != i) FAST_REQUIRE(fastalloc32_kind_of(w[j].mm, b.ptr) == FASTALLOC32_KIND_NONE);
      }
    }
  }
  for (int i = 0; i < kWorkers; ++i) {
    CAPTURE(i);
    Worker& me = w[i];
    while (!me.live.empty()) free_block(me.mm, me.live, me.live.size() - 1, me.tally);
    audit(me.mm, me.live, me.tally);
    expect_clean(me.tally);
    // Each manager counted exactly the system calls its own hooks saw.
    const fastalloc32_stats s = stats(me.mm);
    if (me.spy.mallocs + me.spy.maps > 0) {
      CHECK(s.sys_mallocs == me.spy.mallocs);
      CHECK(s.sys_frees == me.spy.frees);
    }
    if (me.spy.maps > 0) {
      CHECK(s.sys_maps == me.spy.maps);
      CHECK(s.sys_unmaps == me.spy.unmaps);
    }
    fastalloc32_destroy(me.mm);
    CHECK(me.spy.balanced());
  }
  // The hooks saw their own manager's calls only: each of the first two
  // managers went to the system through its hooks.
  CHECK(w[0].spy.maps > 0);
  CHECK(w[1].spy.mallocs > 0);
}

TEST_CASE("threads: managers created, used and destroyed on several threads at once") {
  constexpr int kThreads = 4;
  constexpr int kRounds = 12;
  struct Result {
    Tally tally;
    uint64_t unbalanced = 0;  // hooks whose calls did not pair up after destroy
    uint64_t failed_creates = 0;
    uint64_t errors = 0;
  };
  std::vector<Result> results(kThreads);
  StartLine start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&results, &start, i] {
      Result& r = results[i];
      std::mt19937_64 rng(0xC0DE + i);
      start.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        SystemSpy spy;
        ErrorLog log;
        const fastalloc32_config c = worker_config(i + round, spy, log);
        fastalloc32_mm* mm = fastalloc32_create_with(&c, nullptr);
        if (mm == nullptr) {
          ++r.failed_creates;
          continue;
        }
        std::vector<Block> live;
        uint64_t next_id = (uint64_t(i) << 40) + (uint64_t(round) << 32);
        Tally t;
        for (int k = 0; k < 150; ++k) step(mm, rng, live, next_id, t);
        audit(mm, live, t);
        fastalloc32_destroy(mm);  // live blocks and all
        if (!spy.balanced()) ++r.unbalanced;
        r.errors += log.entries.size();
        r.tally.null_results += t.null_results;
        r.tally.bad_contents += t.bad_contents;
        r.tally.bad_calloc += t.bad_calloc;
        r.tally.bad_align += t.bad_align;
        r.tally.check_failures += t.check_failures;
        r.tally.stat_mismatches += t.stat_mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    CAPTURE(i);
    expect_clean(results[i].tally);
    CHECK(results[i].failed_creates == 0);
    CHECK(results[i].unbalanced == 0);
    CHECK(results[i].errors == 0);
  }
}

TEST_CASE("threads: a manager handed from thread to thread keeps every block and count") {
  // Three threads take turns with one manager (a mutex and a turn counter
  // hand it over); each turn verifies and frees blocks the other threads
  // allocated, reallocs some and allocates more.
  constexpr int kThreads = 3;
  constexpr int kTurns = 45;
  SystemSpy spy;
  ErrorLog log;
  const fastalloc32_config c = worker_config(0, spy, log);
  fastalloc32_mm* mm = fastalloc32_create_with(&c, nullptr);
  REQUIRE(mm != nullptr);
  std::vector<Block> live;
  Tally tally;
  uint64_t next_id = 1;
  std::mt19937_64 rng(0x4A4D);
  std::mutex mu;
  std::condition_variable cv;
  int turn = 0;
  std::vector<int> turns_taken(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (;;) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return turn >= kTurns || turn % kThreads == i; });
        if (turn >= kTurns) return;
        // The lock is held for the turn: the manager is this thread's.
        ++turns_taken[i];
        for (int k = 0; k < 150; ++k) step(mm, rng, live, next_id, tally);
        while (live.size() > 120) free_block(mm, live, rng() % live.size(), tally);
        audit(mm, live, tally);
        ++turn;
        cv.notify_all();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) CHECK(turns_taken[i] == kTurns / kThreads);
  audit(mm, live, tally);
  while (!live.empty()) free_block(mm, live, live.size() - 1, tally);
  audit(mm, live, tally);
  expect_clean(tally);
  CHECK(tally.mallocs > 2000);
  CHECK(log.entries.empty());
  fastalloc32_destroy(mm);
  CHECK(spy.balanced());
}
