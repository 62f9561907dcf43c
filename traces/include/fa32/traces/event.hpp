// The allocation-trace model: one plain event struct and a trace header.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fa32::traces {

enum class Op : std::uint8_t {
  malloc = 0,
  calloc = 1,   // size is the element size, count the number of elements
  realloc = 2,  // id must be live; keeps its id
  free = 3,
  aligned_alloc = 4,  // memalign / posix_memalign / aligned_alloc / valloc / pvalloc
};
inline constexpr int op_count = 5;

// "malloc", "calloc", ... ; std::nullopt for a name that is not an op.
std::string_view op_name(Op op);
std::optional<Op> op_from_name(std::string_view name);

// One call. Allocation ids, not addresses: ids are dense and recycled, so a
// replayer's id table is bounded by the peak number of live allocations.
struct Event {
  Op op = Op::malloc;
  std::uint32_t thread = 0;  // 0 when unknown
  std::uint64_t id = 0;
  std::uint64_t size = 0;       // bytes (calloc: bytes per element)
  std::uint64_t count = 1;      // calloc element count; 1 otherwise
  std::uint64_t alignment = 0;  // aligned_alloc only; 0 otherwise
  std::uint64_t time_ns = 0;    // 0 when unknown

  friend bool operator==(const Event&, const Event&) = default;
};

struct TraceHeader {
  std::string format = "fa32-trace";
  std::uint32_t version = 1;
  // Free-form: "producer", "command", "date", "pid", ...
  std::map<std::string, std::string> metadata;
  // Upper bound on (largest id + 1), 0 when unknown: lets a replayer size
  // its id table up front.
  std::uint64_t id_bound = 0;
  // Number of events, 0 when unknown (e.g. streamed JSON Lines).
  std::uint64_t event_count = 0;

  friend bool operator==(const TraceHeader&, const TraceHeader&) = default;
};

}  // namespace fa32::traces
