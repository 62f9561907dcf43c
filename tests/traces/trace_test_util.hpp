// Helpers shared by the trace tests: write events to bytes, read them back.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "fa32/traces/reader.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::test {

inline std::string write_bytes(Format f, const TraceHeader& h, const std::vector<Event>& events) {
  std::ostringstream out;
  auto w = create_writer(out, f, h);
  w->write(events);
  w->finish();
  return out.str();
}

inline std::vector<Event> read_all(TraceReader& r, std::size_t batch = 100) {
  std::vector<Event> all, buf(batch);
  while (std::size_t n = r.read(buf)) all.insert(all.end(), buf.begin(), buf.begin() + static_cast<long>(n));
  return all;
}

// Reads until the end or an error; returns the error text ("" if none).
inline std::string read_error(const std::string& bytes, std::size_t* events = nullptr,
                              bool* truncated = nullptr) {
  std::size_t n = 0;
  try {
    auto r = open_trace_bytes(bytes, "t");
    std::vector<Event> buf(16);
    while (std::size_t k = r->read(buf)) n += k;
  } catch (const TraceError& e) {
    if (events) *events = n;
    if (truncated) *truncated = e.truncated();
    return e.what();
  }
  if (events) *events = n;
  return {};
}

// Every field and op, awkward values included.
inline std::vector<Event> sample_events() {
  std::vector<Event> v;
  auto add = [&](Op op, std::uint64_t id, std::uint64_t size, std::uint64_t count = 1,
                 std::uint64_t align = 0, std::uint32_t thread = 0, std::uint64_t t = 0) {
    Event e;
    e.op = op;
    e.id = id;
    e.size = size;
    e.count = count;
    e.alignment = align;
    e.thread = thread;
    e.time_ns = t;
    v.push_back(e);
  };
  add(Op::malloc, 0, 24);
  add(Op::calloc, 1, 8, 10, 0, 2, 1000);
  add(Op::aligned_alloc, 2, 100, 1, 64, 2, 999);
  add(Op::realloc, 0, 4096, 1, 0, 1, 5000);
  add(Op::malloc, 3, 0);
  add(Op::free, 1, 0);
  add(Op::free, 0, 17);  // a sized free
  add(Op::malloc, 1, UINT64_MAX, 1, 0, 0xffffffffu, UINT64_MAX);
  add(Op::free, 3, 0, 1, 0, 7, 3);
  add(Op::free, 2, 0);
  return v;
}

}  // namespace fa32::traces::test
