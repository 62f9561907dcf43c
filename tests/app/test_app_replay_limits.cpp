// What keeps a replay bounded whatever the trace asks: the memory limit,
// the page cap of --touch first, and sparse ids kept in a hash table.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/renumber_ids.hpp"
#include "fa32/app/replay/engine.hpp"
#include "fa32/app/replay/replay_event.hpp"
#include "fa32/app/replay/system_allocator.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/app/report/report.hpp"
#include "fa32/traces/validate.hpp"
#include "replay_test_util.hpp"

using namespace fa32::app::replay;
using namespace fa32::test;

TEST_CASE("the memory limit refuses what would go past it, counts it and keeps the figures exact") {
  // limit 1000: 600 fits, 500 more does not (1100), 400 does (1000 exactly);
  // a realloc growing by 1 is refused and the block stays; aligned_alloc
  // counts its alignment; the refused ids' frees are skipped.
  const std::vector<ReplayEvent> evs{
      ev_malloc(0, 600), ev_malloc(1, 500),    ev_calloc(2, 400),   ev_realloc(0, 601), ev_free(1),
      ev_free(2),        ev_aligned(3, 8, 10), ev_aligned(4, 8, 3), ev_realloc(0, 300), ev_malloc(5, 100),
      ev_free(3),        ev_free(4),           ev_free(5),          ev_free(0)};
  TestAllocator a;
  ReplayOptions o;
  o.memory_limit = 1000;
  const ReplayResult r = replay(evs, a, o);
  CHECK_FALSE(r.error);
  CHECK(r.events == evs.size());
  // Refused: malloc 1 (500), realloc 0 -> 601, aligned 3 (8 + 1024 alignment).
  CHECK(r.refused_by_limit == 3);
  CHECK(r.failed_allocs == 2);
  CHECK(r.failed_reallocs == 1);
  CHECK(r.skipped_after_fail == 2);  // free 1, free 3
  CHECK(r.peak_live_bytes == 1000);  // 600 + 400: exactly the limit is allowed
  CHECK(r.peak_live_bytes_event == 2);
  CHECK(r.live_bytes == 0);
  CHECK(r.leak_count == 0);
  CHECK(r.invalid.total() == 0);
  CHECK(a.live() == 0);
  CHECK(r.first_refusal.find("event 1: malloc of id 1 (500 bytes)") == 0);
  CHECK(r.first_refusal.find("from 600 past the memory limit of 1000 bytes") != std::string::npos);
}

namespace {

// A calloc of 2^33 elements of 2^33 bytes: count x size overflows 64 bits.
ReplayEvent overflowing_calloc(std::uint64_t id) {
  fa32::traces::Event e;
  e.op = Op::calloc;
  e.id = id;
  e.size = std::uint64_t{1} << 33;
  e.count = std::uint64_t{1} << 33;
  return to_replay_event(e, 0);
}

}  // namespace

TEST_CASE("a calloc whose count times size overflows is refused by any limit") {
  const std::vector<ReplayEvent> evs{overflowing_calloc(0), ev_free(0)};
  TestAllocator a;
  ReplayOptions o;
  o.memory_limit = UINT64_MAX - 1;
  const ReplayResult r = replay(evs, a, o);
  CHECK(r.refused_by_limit == 1);
  CHECK(r.failed_allocs == 1);
  CHECK(r.skipped_after_fail == 1);
  CHECK(r.first_refusal.find("count x size overflows 64 bits") != std::string::npos);
  CHECK(a.live() == 0);
}

TEST_CASE("no limit: a request past 2^64 - 1 live bytes is refused without naming a limit") {
  // --memory-limit none: the warning named "the memory limit of
  // 18446744073709551615 bytes", a limit the user had just lifted.
  const std::vector<ReplayEvent> evs{ev_malloc(0, 16), overflowing_calloc(1), ev_free(1), ev_free(0)};
  TestAllocator a;
  const ReplayResult r = replay(evs, a, ReplayOptions{});  // memory_limit: none
  CHECK(r.refused_by_limit == 1);
  CHECK(r.failed_allocs == 1);
  CHECK(r.first_refusal.find("the memory limit of") == std::string::npos);
  CHECK(r.first_refusal.find("past 2^64 - 1 bytes") != std::string::npos);
  CHECK(a.live() == 0);
}

TEST_CASE("no limit: every request reaches the allocator") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 5000), ev_free(0)};
  LimitedAllocator a(100);  // fails what is above 100 bytes by itself
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  CHECK(r.refused_by_limit == 0);
  CHECK(r.failed_allocs == 1);
  CHECK(r.first_refusal.empty());
}

namespace {

// Replays evs (the first allocation from calloc, so every byte the replay
// writes shows) and lists the offsets it wrote in that block's first n bytes.
struct FirstBlockTouches {
  ReplayResult result;
  std::vector<std::uint64_t> written;
};
FirstBlockTouches replay_first_block(const std::vector<ReplayEvent>& evs, std::uint64_t n) {
  TestAllocator a;
  Replayer rp(a, ReplayOptions{});
  rp.feed(evs);
  FirstBlockTouches t{rp.finish(), {}};
  const auto* p = static_cast<const unsigned char*>(a.first());
  REQUIRE(p != nullptr);
  for (std::uint64_t i = 0; i < n; ++i)
    if (p[i] != 0) t.written.push_back(i);
  return t;
}

}  // namespace

TEST_CASE("--touch first writes a byte in each of the first 256 pages and the last byte, no more") {
  const std::uint64_t n = (std::uint64_t{10} << 20) + 5;
  const FirstBlockTouches t = replay_first_block({ev_calloc(0, n), ev_malloc(1, 100)}, n);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t k = 0; k < touch_page_cap; ++k) expected.push_back(k * touch_page_size);
  expected.push_back(n - 1);  // the last byte, past the cap
  CHECK(t.written == expected);
  CHECK(t.result.touched_bytes == touch_page_cap + 1 + 1);  // and one byte of the small block
  CHECK(t.result.touch_capped == 1);
}

TEST_CASE("--touch first writes one byte per page of a block within the cap, and not its last byte") {
  const std::uint64_t n = 10000;
  const FirstBlockTouches t = replay_first_block({ev_calloc(0, n)}, n);
  CHECK(t.written == std::vector<std::uint64_t>{0, 4096, 8192});
  CHECK(t.result.touched_bytes == 3);
  CHECK(t.result.touch_capped == 0);
}

TEST_CASE("--touch first over a realloc's growth is capped the same way") {
  const std::uint64_t grown = std::uint64_t{4} << 20;
  const std::vector<ReplayEvent> evs{ev_malloc(0, 4096), ev_realloc(0, 4096 + grown)};
  TestAllocator a;
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  CHECK(r.touched_bytes == 1 + touch_page_cap + 1);
  CHECK(r.touch_capped == 1);
  ReplayOptions none;
  none.touch = Touch::none;
  TestAllocator b;
  CHECK(replay(evs, b, none).touched_bytes == 0);
}

TEST_CASE("a sparse id goes to the hash table: the dense table does not follow it") {
  const std::vector<ReplayEvent> evs{ev_malloc(4000000000, 8), ev_realloc(4000000000, 16),
                                     ev_free(4000000000), ev_free(4000000000)};
  TestAllocator a;
  ReplayOptions o;
  o.lenient = true;
  o.id_bound = 4000000001;  // a header's promise: too large for two events, not taken
  const ReplayResult r = replay(evs, a, o);
  CHECK(r.hashed_ids == 1);
  CHECK(r.dense_id_slots <= dense_id_floor);
  CHECK(r.peak_live_bytes == 16);
  CHECK(r.invalid.double_free == 1);  // the second free: the hash keeps freed ids too
  CHECK(r.live_allocs == 0);
}

TEST_CASE("sparse and dense ids give the same figures, leaks included") {
  // The same trace twice: ids 0..999, and the same ids spread over 2^40.
  auto trace = [](std::uint64_t stride) {
    std::vector<ReplayEvent> evs;
    for (std::uint64_t i = 0; i < 1000; ++i) evs.push_back(ev_malloc(i * stride, 8 + i % 50));
    for (std::uint64_t i = 0; i < 1000; i += 3) evs.push_back(ev_realloc(i * stride, 100));
    for (std::uint64_t i = 0; i < 1000; i += 2) evs.push_back(ev_free(i * stride));
    for (std::uint64_t i = 0; i < 1000; i += 4) evs.push_back(ev_malloc(i * stride, 7));
    return evs;
  };
  TestAllocator a;
  TestAllocator b;
  ReplayOptions o;
  o.leak_limit = 5;
  const ReplayResult dense = replay(trace(1), a, o);
  const ReplayResult sparse = replay(trace(std::uint64_t{1} << 30), b, o);
  CHECK(dense.hashed_ids == 0);
  CHECK(sparse.hashed_ids == 999);  // id 0 is dense in both
  CHECK(sparse.dense_id_slots <= dense_id_floor);
  CHECK(dense.peak_live_bytes == sparse.peak_live_bytes);
  CHECK(dense.live_bytes == sparse.live_bytes);
  CHECK(dense.leak_count == sparse.leak_count);
  CHECK(dense.leak_bytes == sparse.leak_bytes);
  REQUIRE(sparse.leaks.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(sparse.leaks[i].event == dense.leaks[i].event);
    CHECK(sparse.leaks[i].id == dense.leaks[i].id << 30);
  }
  CHECK(a.live() == 0);  // the Replayer freed what leaked
  CHECK(b.live() == 0);
}

TEST_CASE("ids hashed early move into the dense table once it grows to cover them") {
  // id 300000 arrives first (sparse then), then 400000 dense ids make the
  // dense table grow past it; its free must still find it live.
  std::vector<ReplayEvent> evs{ev_malloc(300000, 64)};
  for (std::uint64_t i = 0; i < 400000; ++i) {
    if (i != 300000) evs.push_back(ev_malloc(i, 8));
  }
  evs.push_back(ev_free(300000));
  for (std::uint64_t i = 0; i < 400000; ++i) {
    if (i != 300000) evs.push_back(ev_free(i));
  }
  SystemAllocator a;  // the test allocator's bookkeeping is quadratic
  const ReplayResult r = replay(evs, a, ReplayOptions{});
  CHECK_FALSE(r.error);
  CHECK(r.invalid.total() == 0);
  CHECK(r.hashed_ids == 0);
  CHECK(r.dense_id_slots > 300000);
  CHECK(r.live_allocs == 0);
  CHECK(r.peak_live_allocs == 400000);
}

TEST_CASE("ordinary ids stay in the dense table, sized once from a bound in proportion") {
  std::vector<ReplayEvent> evs;
  for (std::uint64_t i = 0; i < 200000; ++i) evs.push_back(ev_malloc(i, 8));
  SystemAllocator a;
  ReplayOptions o;
  o.id_bound = 200000;
  o.expected_events = evs.size();
  const ReplayResult r = replay(evs, a, o);
  CHECK(r.hashed_ids == 0);
  CHECK(r.dense_id_slots == 200000);
}

TEST_CASE("the id table's policy: a floor, then four slots per allocation") {
  CHECK(dense_id_limit(0) == dense_id_floor);
  CHECK(dense_id_limit(1000000) == 4000000);
  CHECK(dense_id_limit(UINT64_MAX) == UINT64_MAX);
  CHECK_FALSE(ids_are_sparse(65535, 1));
  CHECK(ids_are_sparse(4000000000, 1));
  CHECK_FALSE(ids_are_sparse(4000000000, 2000000000));
  IdTable t;
  Slot& s = t.insert(7000000000, 1, 0);
  s.size = 42;
  REQUIRE(t.find(7000000000) != nullptr);
  CHECK(t.find(7000000000)->size == 42);
  CHECK(t.find(7000000001) == nullptr);
  CHECK(t.find(5) == nullptr);  // never seen: the dense table did not grow for a sparse id
  CHECK(t.dense_size() == 0);
  CHECK(t.hashed() == 1);
}

TEST_CASE("renumbering gives dense, recycled ids and keeps invalid events invalid") {
  using fa32::traces::Event;
  auto ev = [](Op op, std::uint64_t id) {
    Event e;
    e.op = op;
    e.id = id;
    return e;
  };
  std::vector<Event> in{ev(Op::malloc, 900), ev(Op::malloc, 5000000000),  ev(Op::free, 900),
                        ev(Op::malloc, 77),  ev(Op::realloc, 5000000000), ev(Op::free, 12345),
                        ev(Op::malloc, 77),  ev(Op::free, 5000000000),    ev(Op::malloc, 1)};
  fa32::app::IdRenumberer r;
  std::vector<std::uint64_t> out;
  for (Event& e : in) {
    r.apply(e);
    out.push_back(e.id);
  }
  // 900 -> 0, 5e9 -> 1, 0 freed and reused by 77, the free of an unknown id
  // gets a fresh 2, a second malloc of live 77 stays on 0 (still invalid),
  // 1 freed and reused by id 1.
  const std::vector<std::uint64_t> expected{0, 1, 0, 0, 1, 2, 0, 1, 1};
  CHECK(out == expected);
  CHECK(r.id_bound() == 3);
}

TEST_CASE("renumbering keeps a double free a double free while its id is not reused") {
  // A double free turned into a free of an id never allocated: the error
  // count stayed, but its message and --lenient's kind changed.
  using fa32::traces::Event;
  using fa32::traces::ValidationCode;
  auto ev = [](Op op, std::uint64_t id) {
    Event e;
    e.op = op;
    e.id = id;
    e.size = 16;
    return e;
  };
  const std::vector<Event> in{ev(Op::malloc, 100),  ev(Op::free, 100),   ev(Op::free, 100),
                              ev(Op::realloc, 100), ev(Op::malloc, 200), ev(Op::malloc, 300),
                              ev(Op::free, 300),    ev(Op::free, 200),   ev(Op::free, 300),
                              ev(Op::malloc, 100),  ev(Op::free, 100),   ev(Op::free, 100)};
  fa32::app::IdRenumberer r;
  fa32::traces::Validator before;
  fa32::traces::Validator after;
  std::vector<std::uint64_t> out;
  std::vector<ValidationCode> codes_before;
  std::vector<ValidationCode> codes_after;
  for (Event e : in) {
    if (const auto err = before.check(e)) codes_before.push_back(err->code);
    r.apply(e);
    out.push_back(e.id);
    if (const auto err = after.check(e)) codes_after.push_back(err->code);
  }
  const std::vector<ValidationCode> expected_codes(4, ValidationCode::double_free);
  CHECK(codes_before == expected_codes);
  CHECK(codes_after == expected_codes);
  // 100 -> 0, freed twice and realloc'd after its free, all on 0; 200 takes
  // 0 again, 300 -> 1; 300's double free after 200's free stays on 1; a new
  // 100 takes 0 (the most recently freed), its double free stays on it.
  const std::vector<std::uint64_t> expected{0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0};
  CHECK(out == expected);
  CHECK(r.id_bound() == 2);

  // Once the freed number is given to another allocation, the old id has
  // no number left that is freed: its double free is one of an id never
  // allocated, as documented.
  const std::vector<Event> reused{ev(Op::malloc, 100), ev(Op::free, 100), ev(Op::malloc, 200),
                                  ev(Op::free, 100)};
  fa32::app::IdRenumberer r2;
  fa32::traces::Validator v2;
  std::vector<ValidationCode> codes;
  for (Event e : reused) {
    r2.apply(e);
    if (const auto err = v2.check(e)) codes.push_back(err->code);
  }
  CHECK(codes == std::vector<ValidationCode>{ValidationCode::not_live});
}

TEST_CASE("--memory-limit: default half the physical memory, none, sizes, junk refused") {
  using namespace fa32::app;
  CHECK(physical_memory_bytes() > 0);
  CHECK(default_memory_limit() == physical_memory_bytes() / 2);
  CHECK(resolve_memory_limit("") == default_memory_limit());
  CHECK(resolve_memory_limit("none") == no_memory_limit);
  CHECK(resolve_memory_limit("8G") == std::uint64_t{8} << 30);
  CHECK(resolve_memory_limit("1T") == std::uint64_t{1} << 40);
  CHECK(resolve_memory_limit("4096") == 4096);
  CHECK_THROWS_AS(resolve_memory_limit("0"), InputError);
  CHECK_THROWS_AS(resolve_memory_limit("lots"), InputError);
  CHECK(describe_memory_limit(no_memory_limit) == "none");
  CHECK(describe_memory_limit(std::uint64_t{3} << 30) == "3.00 GiB (3221225472 bytes)");
}

TEST_CASE("the report says what the limit was, what it refused, what was touched and hashed") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 100), ev_malloc(1, 5000), ev_malloc(9000000000, 8)};
  TestAllocator a;
  ReplayOptions o;
  o.memory_limit = 1000;
  const ReplayResult r = replay(evs, a, o);
  const fa32::app::report::Report rep = fa32::app::report::build_report("t", "json", a, o, r);
  std::ostringstream out;
  fa32::app::report::print_json(out, std::vector<fa32::app::report::Report>{rep});
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["options"]["memory_limit"] == 1000);
  CHECK(j["failed"]["refused_by_limit"] == 1);
  CHECK(j["failed"]["allocs"] == 1);
  CHECK(j["touch"]["bytes_written"] == 2);
  CHECK(j["touch"]["capped_blocks"] == 0);
  CHECK(j["ids"]["hashed"] == 1);

  fa32::app::report::Report unlimited = rep;
  unlimited.memory_limit = UINT64_MAX;
  std::ostringstream out2;
  fa32::app::report::print_json(out2, std::vector<fa32::app::report::Report>{unlimited});
  CHECK(nlohmann::json::parse(out2.str())["options"]["memory_limit"].is_null());
  std::ostringstream text;
  fa32::app::report::print_text(text, std::vector<fa32::app::report::Report>{rep}, {});
  CHECK(text.str().find("; memory limit 1000 B") != std::string::npos);
  CHECK(text.str().find("refused by the memory limit") != std::string::npos);
}

TEST_CASE("--preload takes a header's event_count as a hint, not as a size to allocate") {
  // A header that promises 2^64 - 1 (or 2^44: 256 TiB of events) events over a trace of two:
  // the load used to reserve the promise and fail with a bare
  // std::bad_alloc; it reads the two events and reports the broken promise.
  for (const char* promised : {"18446744073709551615", "17592186044416"}) {
    CAPTURE(promised);
    const std::string text = std::string(R"({"format":"fa32-trace","version":1,"event_count":)") + promised +
                             "}\n" + R"({"op":"malloc","id":0,"size":8})" + "\n" + R"({"op":"free","id":0})" +
                             "\n";
    auto reader = fa32::traces::open_trace_bytes(text, "promise.jsonl");
    std::string error;
    try {
      (void)load_events(*reader);
    } catch (const fa32::traces::TraceError& e) {
      error = e.what();
    }
    CHECK(error.find("2 events recovered") != std::string::npos);
    CHECK(error.find(promised) != std::string::npos);
  }
}

TEST_CASE("a refusal of one byte under a limit of one byte reads in the singular") {
  const std::vector<ReplayEvent> evs{ev_malloc(0, 1), ev_malloc(1, 1), ev_free(0)};
  TestAllocator a;
  ReplayOptions o;
  o.memory_limit = 1;
  const ReplayResult r = replay(evs, a, o);
  CHECK(r.refused_by_limit == 1);
  CHECK(
      r.first_refusal.find("event 1: malloc of id 1 (1 byte) would take live requested bytes from 1 past the "
                           "memory limit of 1 byte:") == 0);
}
