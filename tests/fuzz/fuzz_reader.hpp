// The one fuzz entry for every reader: whatever the bytes, a reader either
// delivers events or throws TraceError; anything else (another exception, a
// crash, a sanitizer report, a hang) is a bug. Events read completely must
// survive a binary round trip unchanged, and the validator must accept any
// event stream without crashing.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::fuzz {

inline int fuzz_reader(const std::uint8_t* data, std::size_t size, std::optional<Format> format) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Event> events;
  TraceHeader header;
  try {
    auto r = format ? open_trace_bytes(bytes, "fuzz", *format) : open_trace_bytes(bytes, "fuzz");
    header = r->header();
    std::vector<Event> batch(7);
    while (std::size_t n = r->read(batch)) {
      events.insert(events.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
      if (events.size() > 100000) std::abort();  // more events than bytes: a reader bug
    }
    if (r->events_read() != events.size()) std::abort();
  } catch (const TraceError&) {
    return 0;
  }
  Validator v;
  for (const auto& e : events) (void)v.check(e);

  std::ostringstream out;
  auto w = create_writer(out, Format::binary, header);
  w->write(events);
  w->finish();
  std::string again = out.str();
  auto r2 = open_trace_bytes(again, "round-trip");
  std::vector<Event> back(events.size() + 1);
  std::size_t n = 0;
  while (std::size_t k = r2->read(std::span<Event>(back).subspan(n))) n += k;
  if (n != events.size() || !(r2->header() == header)) std::abort();
  for (std::size_t i = 0; i < n; ++i) {
    if (!(back[i] == events[i])) std::abort();
  }
  return 0;
}

}  // namespace fa32::traces::fuzz
