// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/candidates.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace fa32::app::tune {
namespace {

constexpr std::uint64_t kMaxBlock = std::uint64_t{1} << 20;  // the library's largest block size
// The default's largest class: above it, requests take the large path, and
// from the same size on the large arena serves them, so fitted sets keep it
// as their ceiling.
constexpr std::uint64_t kDefaultTop = 16384;
constexpr std::uint64_t kArenaFrom = 16384;  // the large arena serves requests from here
// The DP is quadratic in the sizes it may place a class at; beyond this many
// distinct sizes it keeps the heaviest ones (and the largest) as places.
constexpr std::size_t kMaxPlaces = 512;

std::uint64_t round_up(std::uint64_t v, std::uint64_t to) {
  return (v + to - 1) / to * to;
}

std::uint64_t pow2_at_least(std::uint64_t v) {
  return v <= 1 ? 1 : std::bit_ceil(v);
}

// Sizes up to top, each trace's weights normalised so every trace counts
// alike however long it is. by_live: weigh a size by its peak live blocks
// (what footprint pays for), else by its requests (what internal
// fragmentation over the run pays for).
std::map<std::uint64_t, double> weights(const std::vector<TraceProfile>& profiles, std::uint64_t top,
                                        bool by_live) {
  std::map<std::uint64_t, double> out;
  for (const TraceProfile& p : profiles) {
    double total = 0;
    for (const auto& [size, s] : p.sizes) {
      if (size <= top) total += by_live ? double(s.peak_live) : double(s.requests);
    }
    if (total == 0) continue;
    for (const auto& [size, s] : p.sizes) {
      if (size <= top) out[size] += (by_live ? double(s.peak_live) : double(s.requests)) / total;
    }
  }
  return out;
}

// The largest requested size worth a class: up to the default's ceiling,
// and up to the arena's start when requests between them are common (1 %).
std::uint64_t class_ceiling(const std::vector<TraceProfile>& profiles, bool extended) {
  const std::uint64_t limit = extended ? kArenaFrom : kDefaultTop;
  std::uint64_t top = 0;
  for (const TraceProfile& p : profiles) {
    for (const auto& [size, s] : p.sizes) {
      if (size <= limit) top = std::max(top, size);
    }
  }
  return top;
}

double share_between(const std::vector<TraceProfile>& profiles, std::uint64_t lo, std::uint64_t hi) {
  double worst = 0;
  for (const TraceProfile& p : profiles) {
    std::uint64_t n = 0;
    for (const auto& [size, s] : p.sizes) {
      if (size > lo && size <= hi) n += s.requests;
    }
    if (p.allocations != 0) worst = std::max(worst, double(n) / double(p.allocations));
  }
  return worst;
}

}  // namespace

std::vector<std::uint64_t> fit_classes(const std::map<std::uint64_t, double>& weights, unsigned max_classes,
                                       std::uint64_t alignment) {
  // Places a class can be at: every requested size rounded up to the alignment.
  std::map<std::uint64_t, double> at;
  for (const auto& [size, w] : weights) {
    if (size > kMaxBlock) continue;
    at[std::max(alignment, round_up(size, alignment))] += w;
  }
  if (at.empty() || max_classes == 0) return {};
  std::vector<std::uint64_t> p;
  std::vector<double> w;
  for (const auto& [size, weight] : at) {
    p.push_back(size);
    w.push_back(weight);
  }
  const std::size_t n = p.size();
  // Waste of the sizes p[i..j) when all go to a class of p[j-1]; the
  // weighted rounding up to the alignment is the same for every set and
  // left out.
  std::vector<double> W(n + 1, 0), S(n + 1, 0);
  for (std::size_t k = 0; k < n; ++k) {
    W[k + 1] = W[k] + w[k];
    S[k + 1] = S[k] + w[k] * double(p[k]);
  }
  auto cost = [&](std::size_t i, std::size_t j) { return double(p[j - 1]) * (W[j] - W[i]) - (S[j] - S[i]); };
  std::vector<std::size_t> places;
  if (n <= kMaxPlaces) {
    for (std::size_t k = 0; k < n; ++k) places.push_back(k);
  } else {
    std::vector<std::size_t> order(n - 1);
    for (std::size_t k = 0; k + 1 < n; ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
    places.assign(order.begin(), order.begin() + (kMaxPlaces - 1));
    places.push_back(n - 1);
    std::sort(places.begin(), places.end());
  }
  const std::size_t m = places.size();
  const std::size_t k_max = std::min<std::size_t>(max_classes, m);
  constexpr double inf = std::numeric_limits<double>::infinity();
  // best[c][b]: least waste covering p[0..places[b]] with c + 1 classes, the
  // last at places[b].
  std::vector<std::vector<double>> best(k_max, std::vector<double>(m, inf));
  std::vector<std::vector<std::size_t>> from(k_max, std::vector<std::size_t>(m, 0));
  for (std::size_t b = 0; b < m; ++b) best[0][b] = cost(0, places[b] + 1);
  for (std::size_t c = 1; c < k_max; ++c) {
    for (std::size_t b = c; b < m; ++b) {
      for (std::size_t a = c - 1; a < b; ++a) {
        const double v = best[c - 1][a] + cost(places[a] + 1, places[b] + 1);
        if (v < best[c][b]) {
          best[c][b] = v;
          from[c][b] = a;
        }
      }
    }
  }
  std::vector<std::uint64_t> out(k_max);
  std::size_t b = m - 1;
  for (std::size_t c = k_max; c-- > 0;) {
    out[c] = p[places[b]];
    b = from[c][b];
  }
  return out;
}

Axes derive_axes(const std::vector<TraceProfile>& profiles, const fastalloc32_config& base) {
  Axes axes;
  std::vector<std::uint64_t> base_classes(base.block_sizes, base.block_sizes + base.class_count);
  axes.classes.push_back({"", base_classes});
  auto add_classes = [&](std::string name, std::vector<std::uint64_t> sizes) {
    if (sizes.empty()) return;
    for (const ClassSet& c : axes.classes) {
      if (c.sizes == sizes) return;
    }
    axes.classes.push_back({std::move(name), std::move(sizes)});
  };
  std::vector<std::uint64_t> tops = {class_ceiling(profiles, false)};
  if (share_between(profiles, kDefaultTop, kArenaFrom) >= 0.01) tops.push_back(class_ceiling(profiles, true));
  for (const std::uint64_t top : tops) {
    const std::string suffix = top > kDefaultTop ? "-to" + std::to_string(top / 1024) + "K" : "";
    for (const bool by_live : {true, false}) {
      const auto w = weights(profiles, top, by_live);
      for (const unsigned k : {16u, 12u, 8u}) {
        add_classes("fit" + std::to_string(k) + (by_live ? "-live" : "-req") + suffix,
                    fit_classes(w, k, base.alignment));
      }
    }
  }

  axes.pools.push_back({"", base.pool_size});
  // Chunks large enough that the busiest class grows a few times at most.
  std::uint64_t busiest = 0;
  for (const TraceProfile& p : profiles) {
    for (const auto& [size, s] : p.sizes) {
      if (size <= kDefaultTop) busiest = std::max(busiest, s.peak_live * round_up(size, base.alignment));
    }
  }
  const std::uint64_t fitted_pool = std::clamp<std::uint64_t>(pow2_at_least(busiest / 4), 64 << 10, 4 << 20);
  if (fitted_pool != base.pool_size)
    axes.pools.push_back({"pool" + std::to_string(fitted_pool >> 10) + "K", fitted_pool});

  axes.caches.push_back({"", base.cache_capacity});
  std::uint64_t burst = 0;
  for (const TraceProfile& p : profiles) burst = std::max(burst, p.free_burst_p99);
  const auto fitted_cache =
      static_cast<std::uint32_t>(std::clamp<std::uint64_t>(pow2_at_least(burst), 64, 1 << 16));
  if (fitted_cache != base.cache_capacity)
    axes.caches.push_back({"cache" + std::to_string(fitted_cache), fitted_cache});

  axes.larges.push_back({"", base.large_cache_bytes, base.mmap_threshold});
  // The large requests' sizes: the cache of freed large blocks need hold
  // only a few of the common ones, and blocks up to the largest common
  // size may as well come from the arena than from mmap.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> large;  // size, requests
  std::uint64_t large_requests = 0;
  for (const TraceProfile& p : profiles) {
    for (const auto& [size, s] : p.sizes) {
      if (size > kDefaultTop) {
        large.emplace_back(size, s.requests);
        large_requests += s.requests;
      }
    }
  }
  if (large_requests != 0) {
    std::sort(large.begin(), large.end());
    std::uint64_t seen = 0, p90 = 0, p99 = 0;
    for (const auto& [size, n] : large) {
      seen += n;
      if (p90 == 0 && seen * 10 >= large_requests * 9) p90 = size;
      if (p99 == 0 && seen * 100 >= large_requests * 99) p99 = size;
    }
    const std::uint64_t small_cache = std::min<std::uint64_t>(base.large_cache_bytes, pow2_at_least(p90 * 4));
    if (small_cache != base.large_cache_bytes) {
      axes.larges.push_back(
          {"lcache" + std::to_string(small_cache >> 10) + "K", small_cache, base.mmap_threshold});
    }
    const std::uint64_t threshold = std::clamp<std::uint64_t>(pow2_at_least(p99 + 1), 128 << 10, 64 << 20);
    if (threshold != base.mmap_threshold) {
      axes.larges.push_back(
          {"mmap" + std::to_string(threshold >> 10) + "K", base.large_cache_bytes, threshold});
    }
  }
  return axes;
}

Candidate make_candidate(const fastalloc32_config& base, const std::vector<TraceProfile>& profiles,
                         const ClassSet& classes, const PoolChoice& pool, const CacheChoice& cache,
                         const LargeChoice& large) {
  Candidate c;
  c.config = base;
  fastalloc32_config& cfg = c.config;
  cfg.class_count = static_cast<std::uint32_t>(classes.sizes.size());
  for (std::size_t i = 0; i < FASTALLOC32_MAX_CLASSES; ++i) {
    cfg.block_sizes[i] = i < classes.sizes.size() ? classes.sizes[i] : 0;
  }
  cfg.pool_size = std::max<std::uint64_t>(pool.pool_size, classes.sizes.back());
  cfg.cache_capacity = cache.capacity;
  cfg.large_cache_bytes = large.large_cache_bytes;
  cfg.mmap_threshold = large.mmap_threshold;
  // The most bytes any class holds at once, bounded above by the sum of
  // the peaks of the sizes it serves.
  std::uint64_t need = 0;
  for (const TraceProfile& p : profiles) {
    std::vector<std::uint64_t> blocks(classes.sizes.size(), 0);
    for (const auto& [size, s] : p.sizes) {
      const auto it = std::lower_bound(classes.sizes.begin(), classes.sizes.end(), size);
      if (it != classes.sizes.end())
        blocks[static_cast<std::size_t>(it - classes.sizes.begin())] += s.peak_live;
    }
    for (std::size_t i = 0; i < blocks.size(); ++i) need = std::max(need, blocks[i] * classes.sizes[i]);
  }
  if (cfg.pool_limit != 0) {
    const std::uint64_t want = std::min<std::uint64_t>(pow2_at_least(need * 2), std::uint64_t{1} << 40);
    cfg.pool_limit = std::max<std::uint64_t>({cfg.pool_limit, want, cfg.pool_size});
  }
  std::string limit_name_text;
  if (cfg.pool_limit != base.pool_limit)
    limit_name_text = "limit" + std::to_string(cfg.pool_limit >> 20) + "M";
  const std::string& limit_name = limit_name_text;
  std::string name;
  for (const std::string* part : {&classes.name, &pool.name, &limit_name, &cache.name, &large.name}) {
    if (part->empty()) continue;
    name += (name.empty() ? "" : "+") + *part;
  }
  c.name = name.empty() ? "default" : name;
  return c;
}

Candidate preset_candidate(const char* name) {
  Candidate c;
  fastalloc32_config_init(&c.config);
  fastalloc32_config_preset(&c.config, name);
  c.name = name;
  return c;
}

}  // namespace fa32::app::tune
