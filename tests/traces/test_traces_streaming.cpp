// Readers stream: the first events come out after reading a bounded prefix
// of the input, whatever its length.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <streambuf>

#include "fa32/traces/generate.hpp"
#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {
// A stream over a string that counts how far it has been read.
class CountingBuf : public std::streambuf {
 public:
  explicit CountingBuf(const std::string& s) : s_(s) {}
  std::size_t consumed() const { return pos_; }

 protected:
  int_type underflow() override {
    if (pos_ >= s_.size()) return traits_type::eof();
    std::size_t n = std::min<std::size_t>(4096, s_.size() - pos_);
    char* p = const_cast<char*>(s_.data()) + pos_;
    setg(p, p, p + n);
    pos_ += n;
    return traits_type::to_int_type(*p);
  }

 private:
  const std::string& s_;
  std::size_t pos_ = 0;
};
}  // namespace

TEST_CASE("every reader yields events while the document is still being read") {
  GenOptions g;
  g.events = 400000;
  auto gen = make_generator(g);
  auto events = read_all(*gen, 4096);
  for (Format f : {Format::binary, Format::json, Format::jsonl}) {
    CAPTURE(format_name(f));
    std::string bytes = write_bytes(f, gen->header(), events);
    CountingBuf buf(bytes);
    std::istream in(&buf);
    auto r = open_trace(in, "stream");
    std::vector<Event> batch(1000);
    REQUIRE(r->read(batch) == 1000);
    // Binary needs one 256 KiB window, text the 1 MiB sniffing window: a
    // fraction of the trace.
    CHECK(buf.consumed() <= (f == Format::binary ? 256 * 1024 : 1024 * 1024) + 4096);
    CHECK(bytes.size() > 1024 * 1024 + 3 * 4096);
    std::size_t total = 1000;
    while (std::size_t n = r->read(batch)) total += n;
    CHECK(total == events.size());
    CHECK(buf.consumed() == bytes.size());
  }
}

TEST_CASE("a very long single line of JSON still streams") {
  // The whole single-object form on one line, no newline anywhere.
  std::string bytes = R"({"format":"fa32-trace","version":1,"events":[)";
  const std::size_t n = 200000;
  for (std::size_t i = 0; i < n; ++i) {
    bytes += (i ? "," : "") + std::string(R"({"op":"malloc","id":)") + std::to_string(i) + R"(,"size":8})";
  }
  bytes += "]}";
  auto r = open_trace_bytes(bytes, "one-line");
  CHECK(r->format() == Format::json);
  CHECK(read_all(*r, 4096).size() == n);
}
