// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32_stats.hpp"

#include <cinttypes>
#include <cstdint>

namespace fa32::lua_host {
namespace {

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

double mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

}  // namespace

bool print_fa32_stats(const fastalloc32_mm* mm, std::FILE* out) {
  fastalloc32_stats s{};
  s.size = sizeof(s);
  if (mm == nullptr || fastalloc32_get_stats(mm, &s) != FASTALLOC32_OK) return false;
  const std::uint64_t served = s.pool_allocs + s.fallback_allocs + s.large_allocs;
  std::fprintf(out, "fastalloc32 stats:\n");
  std::fprintf(out, "  mallocs: %" PRIu64 "  frees: %" PRIu64 "  reallocs: %" PRIu64 "\n", s.mallocs, s.frees,
               s.reallocs);
  std::fprintf(out,
               "  pool allocs: %" PRIu64 " (%.1f%% of blocks served; cache hits %" PRIu64
               ", free-list hits %" PRIu64 ", fresh %" PRIu64 "), pool grows: %" PRIu64 "\n",
               s.pool_allocs, percent(s.pool_allocs, served), s.cache_hits, s.freelist_hits, s.fresh_blocks,
               s.pool_grows);
  std::fprintf(out, "  fallback allocs: %" PRIu64 " (%.1f%%; small blocks sent to the system malloc)\n",
               s.fallback_allocs, percent(s.fallback_allocs, served));
  std::fprintf(out, "  large allocs: %" PRIu64 " (%.1f%%; large cache hits %" PRIu64 ", arena %" PRIu64 ")\n",
               s.large_allocs, percent(s.large_allocs, served), s.large_cache_hits, s.large_arena_allocs);
  std::fprintf(out,
               "  reallocs in place: %" PRIu64 ", pool->pool %" PRIu64 ", pool->large %" PRIu64
               ", large->pool %" PRIu64 ", large in place %" PRIu64 ", large moved %" PRIu64
               ", fallback %" PRIu64 "\n",
               s.realloc_in_place, s.realloc_pool_to_pool, s.realloc_pool_to_large, s.realloc_large_to_pool,
               s.realloc_large_in_place, s.realloc_large_moved, s.realloc_fallback);
  std::fprintf(out,
               "  peak footprint: %.2f MiB  peak requested: %.2f MiB  peak live allocations: %" PRIu64 "%s\n",
               mib(s.footprint.peak), mib(s.bytes_requested.peak), s.live_allocs.peak,
               s.peaks_tracked ? "" : " (peaks not tracked)");
  std::fprintf(out,
               "  system calls: malloc %" PRIu64 ", free %" PRIu64 ", mmap %" PRIu64 ", munmap %" PRIu64
               ", mremap %" PRIu64 ", madvise %" PRIu64 "\n",
               s.sys_mallocs, s.sys_frees, s.sys_maps, s.sys_unmaps, s.sys_remaps, s.sys_decommits);
  std::fprintf(out,
               "  pages: huge-page advices %" PRIu64 ", pool page runs %" PRIu64 ", arena page runs %" PRIu64
               "\n",
               s.pool_huge_advices, s.pool_page_runs, s.arena_page_runs);
  if (s.failed_allocs + s.invalid_frees + s.double_frees + s.interior_frees > 0) {
    std::fprintf(out,
                 "  failed allocs: %" PRIu64 "  invalid frees: %" PRIu64 "  double frees: %" PRIu64
                 "  interior frees: %" PRIu64 "\n",
                 s.failed_allocs, s.invalid_frees, s.double_frees, s.interior_frees);
  }
  const std::uint32_t classes = fastalloc32_class_count(mm);
  for (std::uint32_t i = 0; i < classes; ++i) {
    fastalloc32_class_stats c{};
    if (fastalloc32_get_class_stats(mm, i, &c) != FASTALLOC32_OK) continue;
    std::fprintf(out,
                 "  class %zu B: allocs %" PRIu64 ", fallback %" PRIu64 ", peak in use %" PRIu64
                 " of %" PRIu64 " blocks\n",
                 c.block_size, c.allocs, c.fallback_allocs, c.blocks_in_use.peak, c.capacity_blocks);
  }
  return true;
}

}  // namespace fa32::lua_host
