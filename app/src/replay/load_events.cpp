// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <bit>
#include <new>
#include <string>

#include "fa32/app/replay/replay_event.hpp"

namespace fa32::app::replay {
namespace {
constexpr std::uint64_t kReserveHint = std::uint64_t{1} << 24;
}  // namespace

void throw_id_too_large(std::uint64_t id, std::uint64_t index) {
  throw traces::TraceError("event " + std::to_string(index) + ": id " + std::to_string(id) +
                           " is beyond what the replayer holds (ids must be below 2^48); renumber the "
                           "trace's ids first: fa32 convert --renumber IN OUT");
}

void throw_stray_field(const traces::Event& e, std::uint64_t index) {
  throw traces::TraceError("event " + std::to_string(index) + ": " + traces::stray_field_error(e).second +
                           ": the event is invalid (fa32 validate reports it too)");
}

LoadedTrace load_events(traces::TraceReader& reader) {
  LoadedTrace out;
  out.header = reader.header();
  out.source = reader.source();
  out.format = reader.format();
  // The header's event_count is a hint that a damaged or hostile header can
  // make absurd (2^64 - 1 for a trace of two events): it sizes the table up
  // front only up to 2^24 events and only if that much can be had; past it
  // the table grows with the events actually read.
  if (out.header.event_count != 0) {
    try {
      out.events.reserve(std::min<std::uint64_t>(out.header.event_count, kReserveHint));
    } catch (const std::bad_alloc&) {
    }
  }
  // The decode buffer is mapped too: nothing here touches the heap per event.
  MappedArray<traces::Event> buf;
  constexpr std::size_t chunk = 4096;
  buf.resize(chunk);
  std::uint64_t index = 0;
  for (;;) {
    const std::size_t n = reader.read(buf.span());
    if (n == 0) break;
    try {
      out.events.reserve(out.events.size() + n);
    } catch (const std::bad_alloc&) {
      throw traces::TraceError(
          "event " + std::to_string(index) + ": no memory left to hold the whole trace (" +
          std::to_string(out.events.size()) + " events, " +
          std::to_string(out.events.size() * sizeof(ReplayEvent)) +
          " bytes, held so far); fa32 replay and stats without --preload stream it instead");
    }
    for (std::size_t i = 0; i < n; ++i, ++index) {
      const ReplayEvent ev = to_replay_event(buf[i], index);
      if (ev.id() > out.max_id) out.max_id = ev.id();
      out.events.push_back(ev);
    }
  }
  return out;
}

LoadedTrace load_events(const std::string& path) {
  auto reader = traces::open_trace(path);
  return load_events(*reader);
}

}  // namespace fa32::app::replay
