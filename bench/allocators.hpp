// SPDX-License-Identifier: GPL-3.0-or-later
// The allocators a stream is replayed through, behind one static interface
// so the replay loop inlines their calls.
#ifndef FA32_BENCH_ALLOCATORS_HPP
#define FA32_BENCH_ALLOCATORS_HPP

#include <cstddef>
#include <cstdlib>

#include "fastalloc32.hpp"

namespace fa32::bench {

// Whatever malloc the process has: glibc, or the one LD_PRELOAD put in.
struct SystemMalloc {
  void* malloc(std::size_t size) { return std::malloc(size); }
  void* realloc(void* p, std::size_t size) { return std::realloc(p, size); }
  void free(void* p) { std::free(p); }
};

// All 16 classes, 16 B..4 KiB (so the 8 B..4 KiB mixes stay in the pools; with
// classes only up to 512 B a third of mixed_sizes' requests take the large
// path and that workload ran 2.3x slower), pools
// large enough that no workload falls back to the system allocator, and a
// freed-block cache big enough for a GC sweep's burst of frees (with the
// default 512, most of a Lua-like sweep overflows into the slower free list:
// 4096 made lua_like about 25% faster and changed no other workload).
// Without the peaks (track_peaks = 0): counters, current values and totals
// stay exact, and the fast paths skip four shared read-modify-writes per
// call; tuned_config_with_peaks() measures what keeping them costs.
inline fa32::Config tuned_config() {
  fa32::Config c = fa32::default_config();
  const std::size_t sizes[] = {16,  32,  48,  64,   96,   128,  192,  256,
                               384, 512, 768, 1024, 1536, 2048, 3072, 4096};
  c.class_count = sizeof sizes / sizeof sizes[0];
  for (std::uint32_t i = 0; i < c.class_count; ++i) c.block_sizes[i] = sizes[i];
  c.pool_size = 4u << 20;
  c.pool_limit = 64u << 20;
  c.cache_capacity = 4096;
  c.track_peaks = 0;
  return c;
}

inline fa32::Config tuned_config_with_peaks() {
  fa32::Config c = tuned_config();
  c.track_peaks = 1;
  return c;
}

struct Fastalloc32 {
  explicit Fastalloc32(const fa32::Config& config) : allocator(config) {}
  void* malloc(std::size_t size) { return fastalloc32_malloc(allocator.get(), size); }
  void* realloc(void* p, std::size_t size) { return fastalloc32_realloc(allocator.get(), p, size); }
  void free(void* p) { fastalloc32_free(allocator.get(), p); }
  fa32::Allocator allocator;
};

}  // namespace fa32::bench

#endif  // FA32_BENCH_ALLOCATORS_HPP
