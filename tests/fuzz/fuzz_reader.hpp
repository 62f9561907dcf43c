// The one fuzz entry for every reader: whatever the bytes, a reader either
// delivers events or throws TraceError; anything else (another exception, a
// crash, a sanitizer report, a hang) is a bug. Events read completely must
// survive a binary round trip unchanged, and the validator must accept any
// event stream without crashing.
//
// The same bytes are read three ways, which must agree on the header, the
// events and the error (message and truncated flag):
//  - from memory in batches, as before;
//  - from memory one event at a time (TraceReader::next, what replay and
//    validate loops amount to), so a batch that ends at damage and a read
//    that starts at it are both reached;
//  - through open_trace's gzip path, the bytes cut into gzip members of a
//    few bytes each. A source then hands out a few bytes per read, as a
//    pipe does for `fa32 convert -`: the window is refilled in the middle
//    of preambles, records and lines, which a small input read from memory
//    (one 256 KiB read) never reaches.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::fuzz {

struct ReadResult {
  bool opened = false;
  TraceHeader header;
  std::vector<Event> events;
  std::optional<std::string> error;
  bool truncated = false;
};

// batch 0: one event at a time with next().
inline ReadResult read_all(std::string_view bytes, std::optional<Format> format, std::size_t batch_size,
                           std::size_t max_events) {
  ReadResult res;
  try {
    auto r = format ? open_trace_bytes(bytes, "fuzz", *format) : open_trace_bytes(bytes, "fuzz");
    res.opened = true;
    res.header = r->header();
    if (batch_size == 0) {
      Event e;
      while (r->next(e)) {
        res.events.push_back(e);
        if (res.events.size() > max_events) std::abort();
      }
    } else {
      std::vector<Event> batch(batch_size);
      while (std::size_t n = r->read(batch)) {
        res.events.insert(res.events.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
        if (res.events.size() > max_events) std::abort();
      }
    }
    if (r->events_read() != res.events.size()) std::abort();
    // At the end a reader stays at the end.
    Event e;
    if (r->next(e)) std::abort();
  } catch (const TraceError& err) {
    res.error = err.what();
    res.truncated = err.truncated();
  }
  return res;
}

// bytes as gzip members of `piece` bytes each, stored (not compressed).
inline std::string gzip_pieces(std::string_view bytes, std::size_t piece) {
  std::string out;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    std::string_view part = bytes.substr(at, piece);
    out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    const auto len = static_cast<std::uint16_t>(part.size());
    const std::uint16_t nlen = static_cast<std::uint16_t>(~len);
    const char block[5] = {'\x01', static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
                           static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)};
    out.append(block, sizeof block);
    out.append(part);
    const auto crc = static_cast<std::uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(part.data()), static_cast<z_size_t>(part.size())));
    const auto isize = static_cast<std::uint32_t>(part.size());
    for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((crc >> shift) & 0xff);
    for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((isize >> shift) & 0xff);
  }
  return out;
}

inline void same(const ReadResult& a, const ReadResult& b) {
  if (a.opened != b.opened || a.error != b.error || a.truncated != b.truncated) std::abort();
  if (!(a.header == b.header) || a.events.size() != b.events.size()) std::abort();
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    if (!(a.events[i] == b.events[i])) std::abort();
  }
}

inline int fuzz_reader(const std::uint8_t* data, std::size_t size, std::optional<Format> format) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  // Every record takes at least 2 bytes, so more events than bytes is a
  // reader bug (gzip input aside: it expands).
  const std::size_t max_events = gzip ? SIZE_MAX : size;
  ReadResult batched = read_all(bytes, format, 7, max_events);
  same(batched, read_all(bytes, format, 0, max_events));
  // The gzip path sniffs: only when sniffing picks the reader under test.
  if (!gzip && size > 0 && size <= 64 * 1024 && (!format || sniff_format(bytes) == format)) {
    const std::string pieces = gzip_pieces(bytes, 1 + size % 13);
    // Messages name offsets in the uncompressed input, so they match too.
    same(batched, read_all(pieces, std::nullopt, 64, max_events));
  }
  if (batched.error) return 0;
  const std::vector<Event>& events = batched.events;
  const TraceHeader& header = batched.header;

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
