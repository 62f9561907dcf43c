// Damage found while decoding a batch: the events before it come out first,
// whatever the batch size. The binary reader decodes a whole window of
// records at a time, and lost the window's events when it stopped at a bad
// record or at a trailer that failed its checks.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {

// n mallocs of 24 bytes with ids 0, 1, 2...: with an empty header the
// preamble is 12 bytes (magic, version, length 2, "{}") and every record 3
// (tag 0x20, id delta +1, size 24; the first delta is 0).
std::string mallocs(std::size_t n) {
  std::vector<Event> events(n);
  for (std::size_t i = 0; i < n; ++i) {
    events[i].id = i;
    events[i].size = 24;
  }
  return write_bytes(Format::binary, {}, events);
}
constexpr std::size_t kPreamble = 12;
constexpr std::size_t kRecord = 3;

struct Outcome {
  std::size_t events = 0;
  std::string error;
};

Outcome read_in_batches(const std::string& bytes, std::size_t batch) {
  Outcome o;
  try {
    auto r = open_trace_bytes(bytes, "t");
    std::vector<Event> buf(batch);
    while (std::size_t k = r->read(buf)) {
      for (std::size_t i = 0; i < k; ++i) REQUIRE(buf[i].id == o.events + i);
      o.events += k;
    }
  } catch (const TraceError& e) {
    o.error = e.what();
  }
  return o;
}

}  // namespace

TEST_CASE("binary: the events before damage are delivered, in batches of any size") {
  const std::string good = mallocs(1000);
  REQUIRE(good.size() > kPreamble + 1000 * kRecord);
  REQUIRE(static_cast<unsigned char>(good[kPreamble + 999 * kRecord]) == 0x20);

  std::string junk_after = good + std::string(100, '\0');
  std::string bad_tag = good;
  bad_tag[kPreamble + 500 * kRecord] = '\x05';
  std::string bad_count = good;
  bad_count[kPreamble + 1000 * kRecord + 1] ^= 1;  // the trailer's event count (1000: e8 07)
  bad_count += std::string(100, '\0');             // so the batch decoder, not the tail, meets it

  for (std::size_t batch : {std::size_t{1}, std::size_t{16}, std::size_t{4096}}) {
    CAPTURE(batch);
    Outcome o = read_in_batches(junk_after, batch);
    CHECK(o.events == 1000);
    CHECK(o.error.find("unexpected data after the trailer") != std::string::npos);

    o = read_in_batches(bad_tag, batch);
    CHECK(o.events == 500);
    CHECK(o.error.find("event 500") != std::string::npos);
    CHECK(o.error.find("invalid record tag 0x05") != std::string::npos);

    o = read_in_batches(bad_count, batch);
    CHECK(o.events == 1000);
    CHECK(o.error.find("the trailer counts") != std::string::npos);
  }
}
