// SPDX-License-Identifier: GPL-3.0-or-later
#include <bit>
#include <string>

#include "fa32/app/replay/replay_event.hpp"

namespace fa32::app::replay {

void throw_id_too_large(std::uint64_t id, std::uint64_t index) {
  throw traces::TraceError("event " + std::to_string(index) + ": id " + std::to_string(id) +
                           " is beyond what the replayer holds (ids must be below 2^48); renumber the "
                           "trace's ids first: fa32 convert --renumber IN OUT");
}

LoadedTrace load_events(traces::TraceReader& reader) {
  LoadedTrace out;
  out.header = reader.header();
  out.source = reader.source();
  out.format = reader.format();
  if (out.header.event_count != 0) out.events.reserve(out.header.event_count);
  // The decode buffer is mapped too: nothing here touches the heap per event.
  MappedArray<traces::Event> buf;
  constexpr std::size_t chunk = 4096;
  buf.resize(chunk);
  std::uint64_t index = 0;
  for (;;) {
    const std::size_t n = reader.read(buf.span());
    if (n == 0) break;
    out.events.reserve(out.events.size() + n);
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
