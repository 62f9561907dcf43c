// Replay through a fastalloc32 manager.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fa32/app/replay/allocator.hpp"

namespace fa32::app::replay {

class Fa32Allocator final : public Allocator {
 public:
  explicit Fa32Allocator(const Fa32Settings& settings);
  ~Fa32Allocator() override;

  std::string name() const override { return "fastalloc32"; }
  std::string describe() const override;
  std::size_t min_alignment() const override { return settings_.config.alignment; }

  void* malloc(std::size_t size) override { return fastalloc32_malloc(mm_, size); }
  void* calloc(std::size_t count, std::size_t size) override { return fastalloc32_calloc(mm_, count, size); }
  void* realloc(void* ptr, std::size_t size) override { return fastalloc32_realloc(mm_, ptr, size); }
  void* aligned_alloc(std::size_t alignment, std::size_t size) override {
    return fastalloc32_aligned_alloc(mm_, alignment, size);
  }
  void free(void* ptr) override { fastalloc32_free(mm_, ptr); }

  AllocatorSample sample() const override;
  std::optional<Fa32Final> final_stats() const override;
  void replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) override;
  std::optional<std::uint64_t> exact_footprint_peak() const override;
  // fastalloc32_check, then its live counts against the replay's.
  std::string audit(std::uint64_t live_allocs, std::uint64_t live_bytes) const override;

  fastalloc32_mm* manager() const { return mm_; }

 private:
  Fa32Settings settings_;  // config.pool_limit: the one the manager runs with
  std::size_t asked_pool_limit_ = 0;
  fastalloc32_mm* mm_ = nullptr;
};

}  // namespace fa32::app::replay
