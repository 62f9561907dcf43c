// The configurations `fa32 tune` tries, derived from the traces' profiles:
// class sets fitted to the request sizes, pools sized from the peak live
// blocks, caches from the runs of frees, large-path settings from the large
// requests. The search (search.hpp) combines them one axis at a time.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fa32/app/tune/trace_profile.hpp"
#include "fastalloc32.h"

namespace fa32::app::tune {

struct Candidate {
  std::string name;  // "default", "original", or what changed: "fit12-live+cache256"
  fastalloc32_config config{};
};

// Up to max_classes block sizes (multiples of alignment, ascending, the
// largest >= every weighted size) that minimise the weighted internal waste
// sum(weight(s) * (class(s) - s)). weights: by requested size, all <= the
// largest class wanted; sizes above 1 MiB are ignored.
std::vector<std::uint64_t> fit_classes(const std::map<std::uint64_t, double>& weights, unsigned max_classes,
                                       std::uint64_t alignment);

// A class set and the name it is shown with.
struct ClassSet {
  std::string name;
  std::vector<std::uint64_t> sizes;
};

struct PoolChoice {
  std::string name;  // "" for the default
  std::uint64_t pool_size = 0;
};

struct CacheChoice {
  std::string name;
  std::uint32_t capacity = 0;
};

struct LargeChoice {
  std::string name;
  std::uint64_t large_cache_bytes = 0;
  std::uint64_t mmap_threshold = 0;
};

// The values each setting is tried at; the base config's value is first in
// every list, so a tie keeps it.
struct Axes {
  std::vector<ClassSet> classes;
  std::vector<PoolChoice> pools;
  std::vector<CacheChoice> caches;
  std::vector<LargeChoice> larges;
};

Axes derive_axes(const std::vector<TraceProfile>& profiles, const fastalloc32_config& base);

// base with the choices applied; pool_limit is raised (never lowered) so
// that no class of the set falls back at any trace's peak, with room to
// spare: pool reservations are address space, not memory.
Candidate make_candidate(const fastalloc32_config& base, const std::vector<TraceProfile>& profiles,
                         const ClassSet& classes, const PoolChoice& pool, const CacheChoice& cache,
                         const LargeChoice& large);

// The library's "default" and "original" presets, always among the candidates.
Candidate preset_candidate(const char* name);

}  // namespace fa32::app::tune
