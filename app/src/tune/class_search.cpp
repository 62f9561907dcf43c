// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/class_search.hpp"

#include <algorithm>
#include <unordered_map>

namespace fa32::app::tune {
namespace {

using replay::ReplayEvent;
using traces::Op;

constexpr std::uint64_t kPage = 4096;
// Positions a class may move to in one step, each side: enough to cross
// a cluster of sizes, few enough that a sweep stays cheap.
constexpr std::size_t kMoveReach = 6;
// Places a class may be added at: the most requested sizes not yet a class.
constexpr std::size_t kAddPlaces = 24;

// The block size a request needs at least: the alignment's multiple.
std::uint64_t needed(std::uint64_t size, std::uint64_t alignment) {
  return std::max(alignment, (size + alignment - 1) / alignment * alignment);
}

class Simulator {
 public:
  explicit Simulator(const std::vector<SizeStream>& streams) : streams_(streams) {}
  std::size_t passes() const { return passes_; }

  double cost(const std::vector<std::uint64_t>& classes) {
    double total = 0;
    for (const SizeStream& s : streams_) {
      ++passes_;
      if (s.peak_live_bytes == 0) continue;
      total += double(pool_footprint(s, classes)) / double(s.peak_live_bytes);
    }
    return total;
  }

 private:
  const std::vector<SizeStream>& streams_;
  std::size_t passes_ = 0;
};

}  // namespace

SizeStream size_stream(std::span<const ReplayEvent> events, std::uint64_t top, std::uint64_t alignment) {
  SizeStream s;
  std::vector<std::uint64_t> rounded;
  for (const ReplayEvent& e : events) {
    const bool allocates = e.op() != Op::free && !(e.op() == Op::realloc && e.size == 0);
    if (allocates && e.size <= top) rounded.push_back(needed(e.size, alignment));
  }
  std::sort(rounded.begin(), rounded.end());
  rounded.erase(std::unique(rounded.begin(), rounded.end()), rounded.end());
  s.points = std::move(rounded);
  std::unordered_map<std::uint64_t, std::int32_t> live;  // id -> its step
  std::uint64_t live_bytes = 0;
  auto drop = [&](std::uint64_t id) {
    const auto it = live.find(id);
    if (it == live.end()) return;
    s.steps.push_back(-it->second);
    live_bytes -= s.points[static_cast<std::size_t>(it->second - 1)];
    live.erase(it);
  };
  for (const ReplayEvent& e : events) {
    if (e.op() == Op::free || e.op() == Op::realloc) drop(e.id());
    if (e.op() == Op::free || e.size == 0 || e.size > top) continue;
    const std::uint64_t r = needed(e.size, alignment);
    const auto i =
        static_cast<std::int32_t>(std::lower_bound(s.points.begin(), s.points.end(), r) - s.points.begin());
    live[e.id()] = i + 1;
    s.steps.push_back(i + 1);
    live_bytes += r;
    s.peak_live_bytes = std::max(s.peak_live_bytes, live_bytes);
  }
  return s;
}

std::uint64_t pool_footprint(const SizeStream& s, const std::vector<std::uint64_t>& classes) {
  std::vector<std::uint32_t> class_of(s.points.size());
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    class_of[i] = static_cast<std::uint32_t>(std::lower_bound(classes.begin(), classes.end(), s.points[i]) -
                                             classes.begin());
  }
  std::vector<std::int64_t> in_use(classes.size() + 1, 0), peak(classes.size() + 1, 0);
  for (const std::int32_t step : s.steps) {
    const std::uint32_t c = class_of[static_cast<std::size_t>(std::abs(step) - 1)];
    if (step > 0) {
      peak[c] = std::max(peak[c], ++in_use[c]);
    } else {
      --in_use[c];
    }
  }
  std::uint64_t bytes = 0;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    bytes += (static_cast<std::uint64_t>(peak[c]) * classes[c] + kPage - 1) / kPage * kPage;
  }
  return bytes;
}

std::vector<std::uint64_t> refine_classes(const std::vector<SizeStream>& streams,
                                          std::vector<std::uint64_t> start, unsigned max_classes,
                                          std::size_t max_passes) {
  if (start.size() < 2 || streams.empty()) return start;
  std::vector<std::uint64_t> points;
  std::unordered_map<std::uint64_t, std::uint64_t> made;
  for (const SizeStream& s : streams) {
    points.insert(points.end(), s.points.begin(), s.points.end());
    for (const std::int32_t step : s.steps) {
      if (step > 0) ++made[s.points[static_cast<std::size_t>(step - 1)]];
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<std::uint64_t> by_use = points;
  std::stable_sort(by_use.begin(), by_use.end(),
                   [&](std::uint64_t a, std::uint64_t b) { return made[a] > made[b]; });
  if (by_use.size() > kAddPlaces) by_use.resize(kAddPlaces);

  Simulator sim(streams);
  std::vector<std::uint64_t> best = start;
  double best_cost = sim.cost(best);
  auto try_set = [&](std::vector<std::uint64_t> set) {
    if (sim.passes() >= max_passes) return false;
    const double c = sim.cost(set);
    if (c < best_cost) {
      best = std::move(set);
      best_cost = c;
      return true;
    }
    return false;
  };
  bool improved = true;
  while (improved && sim.passes() < max_passes) {
    improved = false;
    // Every class but the ceiling: merge it into the next, or move it.
    for (std::size_t i = 0; i + 1 < best.size() && sim.passes() < max_passes; ++i) {
      std::vector<std::uint64_t> merged = best;
      merged.erase(merged.begin() + static_cast<std::ptrdiff_t>(i));
      if (try_set(std::move(merged))) {
        improved = true;
        break;
      }
      const std::uint64_t lo = i == 0 ? 0 : best[i - 1];
      const std::uint64_t hi = best[i + 1];
      const auto at = std::lower_bound(points.begin(), points.end(), best[i]);
      std::vector<std::uint64_t> places;
      for (auto it = at; it != points.begin() && places.size() < kMoveReach;) {
        --it;
        if (*it <= lo) break;
        places.push_back(*it);
      }
      for (auto it = at; it != points.end() && places.size() < 2 * kMoveReach; ++it) {
        if (*it >= hi) break;
        if (*it != best[i]) places.push_back(*it);
      }
      for (const std::uint64_t p : places) {
        std::vector<std::uint64_t> moved = best;
        moved[i] = p;
        if (try_set(std::move(moved))) {
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
    if (improved || best.size() >= max_classes) continue;
    for (const std::uint64_t p : by_use) {
      if (std::binary_search(best.begin(), best.end(), p) || p > best.back()) continue;
      std::vector<std::uint64_t> added = best;
      added.insert(std::lower_bound(added.begin(), added.end(), p), p);
      if (try_set(std::move(added))) {
        improved = true;
        break;
      }
    }
  }
  return best;
}

}  // namespace fa32::app::tune
