// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <algorithm>

#include "fa32/traces/validate.hpp"

using namespace fa32::traces;

namespace {
Event ev(Op op, std::uint64_t id, std::uint64_t size = 0, std::uint64_t count = 1, std::uint64_t align = 0) {
  Event e;
  e.op = op;
  e.id = id;
  e.size = size;
  e.count = count;
  e.alignment = align;
  return e;
}

// Runs the events; returns the error of the last one.
std::optional<ValidationError> last_error(Validator& v, const std::vector<Event>& events) {
  std::optional<ValidationError> err;
  for (const auto& e : events) err = v.check(e);
  return err;
}
}  // namespace

TEST_CASE("a valid trace has no errors and a correct summary") {
  Validator v;
  for (const Event& e :
       {ev(Op::malloc, 0, 100), ev(Op::calloc, 1, 10, 3), ev(Op::aligned_alloc, 2, 64, 1, 64),
        ev(Op::realloc, 0, 200), ev(Op::free, 1), ev(Op::malloc, 1, 5)}) {
    CHECK_FALSE(v.check(e));
  }
  const auto& s = v.summary();
  CHECK(s.events == 6);
  CHECK(s.by_op[static_cast<int>(Op::malloc)] == 2);
  CHECK(s.by_op[static_cast<int>(Op::free)] == 1);
  CHECK(s.live_count == 3);
  CHECK(s.live_bytes == 200 + 64 + 5);
  CHECK(s.peak_live_bytes == 200 + 30 + 64);
  CHECK(s.peak_live_count == 3);
  CHECK(s.max_id == 2);
  CHECK(s.errors == 0);
  CHECK(v.live_ids() == std::vector<std::uint64_t>{0, 1, 2});
}

TEST_CASE("every validation error, with its message") {
  struct Case {
    std::vector<Event> events;
    ValidationCode code;
    std::string message;
  };
  const Case cases[] = {
      {{ev(Op::free, 7)}, ValidationCode::not_live, "event 0: free of id 7, which was never allocated"},
      {{ev(Op::realloc, 7, 10)},
       ValidationCode::not_live,
       "event 0: realloc of id 7, which was never allocated"},
      {{ev(Op::malloc, 7, 1), ev(Op::free, 7), ev(Op::free, 7)},
       ValidationCode::double_free,
       "event 2: free of id 7, which was already freed by event 1 (double free)"},
      {{ev(Op::malloc, 7, 1), ev(Op::free, 7), ev(Op::realloc, 7, 5)},
       ValidationCode::double_free,
       "event 2: realloc of id 7, which was already freed by event 1 (double free)"},
      {{ev(Op::malloc, 3, 1), ev(Op::calloc, 3, 1, 2)},
       ValidationCode::already_live,
       "event 1: calloc of id 3, which is still live (allocated by event 0)"},
      {{ev(Op::malloc, 1, (std::uint64_t{1} << 40) + 1)},
       ValidationCode::size_too_large,
       "event 0: malloc of id 1: size 1099511627777 exceeds the limit of 1099511627776 bytes"},
      {{ev(Op::calloc, 1, std::uint64_t{1} << 33, std::uint64_t{1} << 33)},
       ValidationCode::calloc_overflow,
       "event 0: calloc of id 1: 8589934592 * 8589934592 overflows 64 bits"},
      {{ev(Op::calloc, 1, std::uint64_t{1} << 30, std::uint64_t{1} << 20)},
       ValidationCode::calloc_overflow,
       "event 0: calloc of id 1: 1048576 * 1073741824 bytes exceeds the size limit"},
      {{ev(Op::aligned_alloc, 1, 10, 1, 48)},
       ValidationCode::bad_alignment,
       "event 0: aligned_alloc of id 1: alignment 48 is not a power of two"},
      {{ev(Op::aligned_alloc, 1, 10, 1, 0)},
       ValidationCode::bad_alignment,
       "event 0: aligned_alloc of id 1: alignment 0 is not a power of two"},
      {{ev(Op::malloc, 1, 10, 1, 16)},
       ValidationCode::stray_alignment,
       "event 0: malloc of id 1 has alignment 16 (only aligned_alloc has one)"},
      {{ev(Op::malloc, 1, 10, 4)},
       ValidationCode::stray_count,
       "event 0: malloc of id 1 has count 4 (only calloc has one)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    Validator v;
    auto err = last_error(v, c.events);
    REQUIRE(err);
    CHECK(err->code == c.code);
    CHECK(err->message == c.message);
    CHECK(err->event_index == c.events.size() - 1);
    CHECK(v.summary().errors == 1);
  }
}

TEST_CASE("an invalid event changes nothing") {
  Validator v;
  CHECK_FALSE(v.check(ev(Op::malloc, 1, 10)));
  CHECK(v.check(ev(Op::malloc, 1, 20)));  // already live: ignored
  CHECK(v.summary().live_bytes == 10);
  CHECK_FALSE(v.check(ev(Op::free, 1)));
  CHECK(v.summary().live_count == 0);
}

TEST_CASE("the size limit is configurable") {
  ValidationLimits lim;
  lim.max_size = 100;
  Validator v(lim);
  CHECK_FALSE(v.check(ev(Op::malloc, 0, 100)));
  CHECK(v.check(ev(Op::malloc, 1, 101)));
  CHECK(v.check(ev(Op::realloc, 0, 101)));
}

TEST_CASE("huge and sparse ids are tracked without a huge table") {
  Validator v;
  CHECK_FALSE(v.check(ev(Op::malloc, std::uint64_t{1} << 62, 1)));
  CHECK_FALSE(v.check(ev(Op::malloc, 60'000'000, 1)));
  CHECK_FALSE(v.check(ev(Op::malloc, 3, 1)));
  CHECK_FALSE(v.check(ev(Op::free, std::uint64_t{1} << 62)));
  CHECK(v.check(ev(Op::free, std::uint64_t{1} << 62))->code == ValidationCode::double_free);
  CHECK_FALSE(v.check(ev(Op::free, 60'000'000)));
  CHECK(v.summary().live_count == 1);
  // Dense ids growing past an id parked in the map keep its state.
  CHECK_FALSE(v.check(ev(Op::malloc, 9000, 1)));
  for (std::uint64_t id = 4; id < 20000; ++id) {
    if (id != 9000) CHECK_FALSE(v.check(ev(Op::malloc, id, 1)));
  }
  CHECK(v.check(ev(Op::malloc, 9000, 1))->code == ValidationCode::already_live);
}

TEST_CASE("a chain of ids, each just within reach of the last growth, keeps the table small") {
  // 4095, then each id just below twice the table plus 4096: every one used
  // to double the dense table, 14 events to 2^26 slots (1.5 GiB).
  Validator v;
  std::uint64_t table = 0;
  std::uint64_t events = 0;
  for (std::uint64_t id = 4095; id < (std::uint64_t{1} << 26); id = table * 2 + 4095) {
    CHECK_FALSE(v.check(ev(Op::malloc, id, 1)));
    table = std::max(id + 1, table * 2);
    ++events;
  }
  CHECK(events == 14);
  CHECK(v.summary().live_count == events);
  CHECK(v.slots_held() <= (std::uint64_t{1} << 16) + events);
  CHECK(v.live_ids().size() == events);
  // Dense ids still go to the table, growing with the events.
  Validator d;
  for (std::uint64_t id = 0; id < 300'000; ++id) CHECK_FALSE(d.check(ev(Op::malloc, id, 1)));
  CHECK(d.slots_held() <= 4 * 300'000);
  CHECK(d.summary().live_count == 300'000);
}

TEST_CASE("live and peak bytes past 2^64 saturate instead of wrapping") {
  // With --max-size 2^64 - 1, two live blocks of 2^63 bytes are 2^64: the
  // summary read 0 live bytes and a peak of 2^63.
  Validator v(ValidationLimits{UINT64_MAX});
  const std::uint64_t half = std::uint64_t{1} << 63;
  CHECK_FALSE(v.check(ev(Op::malloc, 0, half)));
  CHECK_FALSE(v.check(ev(Op::malloc, 1, half)));
  CHECK(v.summary().live_bytes == UINT64_MAX);
  CHECK(v.summary().peak_live_bytes == UINT64_MAX);
  CHECK(v.summary().total_requested_bytes == UINT64_MAX);
  CHECK_FALSE(v.check(ev(Op::free, 1)));
  CHECK(v.summary().live_bytes == half);
  CHECK(v.summary().peak_live_bytes == UINT64_MAX);
  CHECK_FALSE(v.check(ev(Op::realloc, 0, 8)));
  CHECK(v.summary().live_bytes == 8);
  CHECK(v.summary().peak_live_bytes == UINT64_MAX);
}
