// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/fa32_allocator.hpp"

#include <stdexcept>
#include <string>

#include "fa32/app/memory_limit.hpp"
#include "fa32/app/replay/allocator_config.hpp"
#include "replay_loop.hpp"

namespace fa32::app::replay {

Fa32Allocator::Fa32Allocator(const Fa32Settings& settings)
    : settings_(settings), asked_pool_limit_(settings.config.pool_limit) {
  fastalloc32_status status = FASTALLOC32_OK;
  mm_ = fastalloc32_create_with(&settings_.config, &status);
  if (mm_ == nullptr) {
    // A rejected config says which rule it broke. A valid one the system
    // had no room for (its pools' reservation, under a limit on address
    // space) is not "rejected": that sent the user to change a config
    // that was fine, and did not name the limit.
    const char* problem = fastalloc32_config_problem(&settings_.config);
    if (problem == nullptr && status == FASTALLOC32_E_NOMEM) {
      throw std::runtime_error("fastalloc32 could not reserve the memory for its pools (" + describe() +
                               "): out of memory" + address_space_limit_note());
    }
    throw std::runtime_error(std::string("fastalloc32 rejected the configuration (") + describe() +
                             "): " + (problem != nullptr ? problem : fastalloc32_status_string(status)));
  }
  // Where the system refused the address space asked for, the manager runs
  // with a lower pool limit, and the report must name the config it ran.
  fastalloc32_config running{};
  if (fastalloc32_get_config(mm_, &running) == FASTALLOC32_OK)
    settings_.config.pool_limit = running.pool_limit;
}

Fa32Allocator::~Fa32Allocator() {
  fastalloc32_destroy(mm_);
}

std::string Fa32Allocator::describe() const {
  const fastalloc32_config& c = settings_.config;
  const std::string classes = describe_classes(c);
  std::string limit =
      c.pool_limit == 0 ? std::string("none (no growth)") : std::to_string(c.pool_limit) + " B";
  if (c.pool_limit != asked_pool_limit_) {
    limit +=
        " (lowered from " + std::to_string(asked_pool_limit_) + " B: the system refused the address space)";
  }
  return "classes " + classes + ", pool " + std::to_string(c.pool_size) + " B/class, pool limit " + limit +
         ", cache " + std::to_string(c.cache_capacity) + ", align " + std::to_string(c.alignment) +
         ", large cache " + std::to_string(c.large_cache_bytes) + " B, large arena " +
         std::to_string(c.large_arena_size) + " B, mmap threshold " + std::to_string(c.mmap_threshold) +
         " B" + (c.secure_zero != 0 ? ", secure zero" : "") + (c.trim_pools != 0 ? ", pools trimmed" : "") +
         (c.huge_pages == 0 ? ", no huge pages" : "") + (c.track_peaks == 0 ? ", no peaks" : ", peaks kept");
}

AllocatorSample Fa32Allocator::sample() const {
  AllocatorSample s;
  fastalloc32_stats st{};
  st.size = sizeof(st);
  if (fastalloc32_get_stats(mm_, &st) == FASTALLOC32_OK) {
    s.footprint = st.footprint.current;
    s.reserved = st.bytes_reserved.current;
    s.large_allocs = st.large_allocs;
    s.fallback_allocs = st.fallback_allocs;
    s.large_bytes = st.large_bytes.current;
    s.fallback_bytes = st.fallback_bytes.current;
  }
  s.class_count = fastalloc32_class_count(mm_);
  if (s.class_count > FASTALLOC32_MAX_CLASSES) s.class_count = FASTALLOC32_MAX_CLASSES;
  for (std::uint32_t i = 0; i < s.class_count; ++i) {
    fastalloc32_class_stats cs{};
    if (fastalloc32_get_class_stats(mm_, i, &cs) == FASTALLOC32_OK)
      s.class_blocks[i] = cs.blocks_in_use.current;
  }
  return s;
}

std::optional<Fa32Final> Fa32Allocator::final_stats() const {
  Fa32Final f;
  f.stats.size = sizeof(f.stats);
  fastalloc32_get_stats(mm_, &f.stats);
  f.class_count = fastalloc32_class_count(mm_);
  if (f.class_count > FASTALLOC32_MAX_CLASSES) f.class_count = FASTALLOC32_MAX_CLASSES;
  for (std::uint32_t i = 0; i < f.class_count; ++i) fastalloc32_get_class_stats(mm_, i, &f.classes[i]);
  f.check = fastalloc32_check(mm_);
  return f;
}

void Fa32Allocator::replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) {
  replayer.run(*this, events);
}

std::optional<std::uint64_t> Fa32Allocator::exact_footprint_peak() const {
  fastalloc32_stats st{};
  st.size = sizeof(st);
  if (fastalloc32_get_stats(mm_, &st) != FASTALLOC32_OK) return std::nullopt;
  return st.footprint.peak;
}

std::string Fa32Allocator::audit(std::uint64_t live_allocs, std::uint64_t live_bytes) const {
  const fastalloc32_status check = fastalloc32_check(mm_);
  if (check != FASTALLOC32_OK)
    return std::string("fastalloc32_check failed: ") + fastalloc32_status_string(check);
  fastalloc32_stats st{};
  st.size = sizeof(st);
  fastalloc32_get_stats(mm_, &st);
  if (st.live_allocs.current == live_allocs && st.bytes_requested.current == live_bytes) return {};
  return "fastalloc32 counts " + std::to_string(st.live_allocs.current) + " live allocations of " +
         std::to_string(st.bytes_requested.current) + " bytes, the replay " + std::to_string(live_allocs) +
         " of " + std::to_string(live_bytes);
}

std::unique_ptr<Allocator> make_fastalloc32(const Fa32Settings& settings) {
  return std::make_unique<Fa32Allocator>(settings);
}

}  // namespace fa32::app::replay
