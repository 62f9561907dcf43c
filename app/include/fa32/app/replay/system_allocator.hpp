// Replay through the process's own malloc (glibc), for comparison.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>

#include "fa32/app/replay/allocator.hpp"

namespace fa32::app::replay {

class SystemAllocator final : public Allocator {
 public:
  SystemAllocator();

  std::string name() const override { return "system"; }
  std::string describe() const override { return "the process's malloc (glibc)"; }
  std::size_t min_alignment() const override { return alignof(std::max_align_t); }

  void* malloc(std::size_t size) override { return std::malloc(size); }
  void* calloc(std::size_t count, std::size_t size) override { return std::calloc(count, size); }
  void* realloc(void* ptr, std::size_t size) override { return std::realloc(ptr, size); }
  void* aligned_alloc(std::size_t alignment, std::size_t size) override;
  void free(void* ptr) override { std::free(ptr); }

  // From mallinfo2(), minus what the heap held before the replay began (the
  // replayer's own start-up allocations).
  AllocatorSample sample() const override;
  std::optional<Fa32Final> final_stats() const override { return std::nullopt; }
  // A replay that samples its peaks goes through a watch (system_allocator.cpp)
  // that samples glibc after every call that can grow its footprint; a
  // timed one calls malloc and nothing else.
  void replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) override;
  // The highest footprint sampled, once every chunk went through the watch
  // (so after every call that could raise it); else none, and the replay's
  // samples stand for it. The samples the replay takes itself count too:
  // mallinfo2 sees the whole process, so they include what the replay
  // and the trace reader allocate themselves, as they always did, which
  // no call of the trace's moves.
  std::optional<std::uint64_t> exact_footprint_peak() const override;

  // The watch's checks, after each call.
  void* after_alloc(void* block);
  void after_free();

 private:
  std::uint64_t base_footprint_ = 0;
  std::uint64_t base_reserved_ = 0;
  std::uintptr_t heap_start_ = 0;  // glibc's brk heap: [heap_start_, break)
  std::uintptr_t last_break_ = 0;
  mutable std::uint64_t sampled_peak_ = 0;  // the largest footprint any sample read
  bool watched_ = false;
  bool unwatched_ = false;
};

}  // namespace fa32::app::replay
