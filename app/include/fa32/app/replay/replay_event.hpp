// The replayer's own event: 16 bytes, decoded once from traces::Event, so a
// 10-million-event trace held in memory costs 160 MB and the hot loop reads
// one cache line per four events.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string>

#include "fa32/app/replay/mapped_array.hpp"
#include "fa32/traces/event.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"

namespace fa32::app::replay {

struct ReplayEvent {
  // bits 0..47 id, 48..55 log2(alignment) (aligned_alloc only), 56..63 op.
  std::uint64_t word = 0;
  // Bytes requested (calloc: count * size, saturated to UINT64_MAX on
  // overflow so the allocator sees -- and refuses -- an impossible request).
  std::uint64_t size = 0;

  static constexpr int id_bits = 48;
  static constexpr std::uint64_t max_id = (std::uint64_t{1} << id_bits) - 1;
  // log2 value marking an alignment that is not a power of two.
  static constexpr std::uint8_t bad_alignment = 0xff;

  traces::Op op() const { return static_cast<traces::Op>(word >> 56); }
  std::uint64_t id() const { return word & max_id; }
  std::uint8_t align_log2() const { return static_cast<std::uint8_t>(word >> id_bits); }
  std::uint64_t alignment() const { return std::uint64_t{1} << (align_log2() & 63); }

  static ReplayEvent make(traces::Op op, std::uint64_t id, std::uint64_t size, std::uint8_t align_log2 = 0) {
    return {(static_cast<std::uint64_t>(op) << 56) | (static_cast<std::uint64_t>(align_log2) << id_bits) |
                (id & max_id),
            size};
  }
};
static_assert(sizeof(ReplayEvent) == 16);

[[noreturn]] void throw_id_too_large(std::uint64_t id, std::uint64_t index);
[[noreturn]] void throw_stray_field(const traces::Event& e, std::uint64_t index);

// Converts one trace event. Throws traces::TraceError naming the event when
// the id does not fit in 48 bits, saying how to renumber the trace, and
// when the event has a count or alignment its op does not take (the
// ReplayEvent has no room for it: replayed without it, the event would pass
// here and fail `fa32 validate`).
// Inline: it runs once per event while streaming.
inline ReplayEvent to_replay_event(const traces::Event& e, std::uint64_t index) {
  if (e.id > ReplayEvent::max_id) [[unlikely]]
    throw_id_too_large(e.id, index);
  if (traces::has_stray_field(e)) [[unlikely]]
    throw_stray_field(e, index);
  std::uint64_t size = e.size;
  std::uint8_t align_log2 = 0;
  if (e.op == traces::Op::calloc) {
    if (e.count != 0 && e.size > UINT64_MAX / e.count) {
      size = UINT64_MAX;
    } else {
      size = e.size * e.count;
    }
  } else if (e.op == traces::Op::aligned_alloc) {
    align_log2 = std::has_single_bit(e.alignment) ? static_cast<std::uint8_t>(std::countr_zero(e.alignment))
                                                  : ReplayEvent::bad_alignment;
  }
  return ReplayEvent::make(e.op, e.id, size, align_log2);
}

using EventArray = MappedArray<ReplayEvent>;

// A whole trace decoded into memory (outside the allocator under test), so a
// benchmark can time replay() with nothing else on the clock.
struct LoadedTrace {
  traces::TraceHeader header;
  std::string source;
  traces::Format format = traces::Format::json;
  EventArray events;
  std::uint64_t max_id = 0;  // largest id seen (0 for an empty trace)
};

// Reads every event. Throws traces::TraceError on malformed input.
LoadedTrace load_events(traces::TraceReader& reader);
LoadedTrace load_events(const std::string& path);

}  // namespace fa32::app::replay
