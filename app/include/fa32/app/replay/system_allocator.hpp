// Replay through the process's own malloc (glibc), for comparison.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdlib>

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
  void replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) override;

 private:
  std::uint64_t base_footprint_ = 0;
  std::uint64_t base_reserved_ = 0;
};

}  // namespace fa32::app::replay
