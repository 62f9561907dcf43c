// The allocator a trace is replayed through. Two implementations, both
// `final` and each instantiating the replay loop for its own type in
// replay_chunk, so the loop calls them without virtual dispatch and the engine
// names neither: fastalloc32 and the process's own malloc.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "fastalloc32.h"

namespace fa32::app::replay {

class Replayer;
struct ReplayEvent;

// What the replayer samples while it runs (cheap enough to read at every new
// peak of live bytes and at every snapshot).
struct AllocatorSample {
  std::uint64_t footprint = 0;  // bytes held from the system
  std::uint64_t reserved = 0;   // bytes set aside for live allocations
  std::uint32_t class_count = 0;
  std::array<std::uint64_t, FASTALLOC32_MAX_CLASSES> class_blocks{};  // pool blocks in use per class
  // fastalloc32 only (0 for the system allocator): the large path and the
  // fallback to the system allocator, for activity over time.
  std::uint64_t large_allocs = 0;  // so far
  std::uint64_t fallback_allocs = 0;
  std::uint64_t large_bytes = 0;  // live now
  std::uint64_t fallback_bytes = 0;
};

// The allocator's own counters at the end of a replay (fastalloc32 only).
struct Fa32Final {
  fastalloc32_stats stats{};
  std::uint32_t class_count = 0;
  std::array<fastalloc32_class_stats, FASTALLOC32_MAX_CLASSES> classes{};
  fastalloc32_status check = FASTALLOC32_OK;  // fastalloc32_check() after the last event
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  Allocator() = default;
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // "fastalloc32" / "system"
  virtual std::string name() const = 0;
  // One line describing the configuration, for the report.
  virtual std::string describe() const = 0;
  // The minimum alignment every returned pointer must have (--verify).
  virtual std::size_t min_alignment() const = 0;

  virtual void* malloc(std::size_t size) = 0;
  virtual void* calloc(std::size_t count, std::size_t size) = 0;
  virtual void* realloc(void* ptr, std::size_t size) = 0;
  virtual void* aligned_alloc(std::size_t alignment, std::size_t size) = 0;
  virtual void free(void* ptr) = 0;

  virtual AllocatorSample sample() const = 0;
  virtual std::optional<Fa32Final> final_stats() const = 0;

  // Replays a chunk of events through this allocator: replayer.run(*this, ..)
  // with the concrete type, so the allocator's calls inline. The default goes
  // through the virtual calls.
  virtual void replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events);
  // The allocator's own footprint peak, where it keeps an exact one; else the
  // replay's samples stand for it.
  virtual std::optional<std::uint64_t> exact_footprint_peak() const { return std::nullopt; }
  // After the last event, with nothing freed yet: what disagrees between the
  // allocator's own accounting and the replay's live allocations and bytes
  // (empty when all agree, or when the allocator keeps no accounting).
  virtual std::string audit(std::uint64_t /*live_allocs*/, std::uint64_t /*live_bytes*/) const { return {}; }
};

// fastalloc32 configuration as the command line and --config give it.
struct Fa32Settings {
  fastalloc32_config config{};
  Fa32Settings() { fastalloc32_config_init(&config); }
};

// Throws std::runtime_error with fastalloc32's reason when the config is
// rejected.
std::unique_ptr<Allocator> make_fastalloc32(const Fa32Settings& settings);
std::unique_ptr<Allocator> make_system_allocator();

}  // namespace fa32::app::replay
