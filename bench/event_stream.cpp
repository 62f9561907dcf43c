// SPDX-License-Identifier: GPL-3.0-or-later
#include "event_stream.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace fa32::bench {
namespace {

// Hands out slots, remembers which are live, and records the events.
class Builder {
 public:
  Builder(std::string name, std::uint64_t seed) : rng_(seed) { stream_.name = std::move(name); }

  std::uint32_t malloc(std::uint32_t size) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = stream_.slots++;
      where_.push_back(0);
    }
    where_[slot] = static_cast<std::uint32_t>(live_.size());
    live_.push_back(slot);
    stream_.events.push_back({slot, size, Op::Malloc});
    return slot;
  }
  void free(std::uint32_t slot) {
    const std::uint32_t at = where_[slot];
    live_[at] = live_.back();
    where_[live_[at]] = at;
    live_.pop_back();
    free_slots_.push_back(slot);
    stream_.events.push_back({slot, 0, Op::Free});
  }
  void realloc(std::uint32_t slot, std::uint32_t size) {
    stream_.events.push_back({slot, size, Op::Realloc});
  }

  std::uint32_t random_live() { return live_[uniform(0, static_cast<std::uint32_t>(live_.size()) - 1)]; }
  void free_random() { free(random_live()); }
  void free_all() {
    while (!live_.empty()) free_random();
  }
  std::size_t live() const { return live_.size(); }
  bool is_live(std::uint32_t slot) const {
    return slot < where_.size() && where_[slot] < live_.size() && live_[where_[slot]] == slot;
  }

  std::uint32_t uniform(std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng_);
  }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double p) { return real(0.0, 1.0) < p; }
  // Log-uniform in [lo, hi]: as many 8..16 B requests as 2..4 KiB ones.
  std::uint32_t log_uniform(std::uint32_t lo, std::uint32_t hi) {
    return static_cast<std::uint32_t>(std::exp(real(std::log(double(lo)), std::log(double(hi) + 1.0))));
  }

  Stream finish() {
    free_all();
    return std::move(stream_);
  }

 private:
  Stream stream_;
  std::mt19937_64 rng_;
  std::vector<std::uint32_t> live_;        // live slots, any order
  std::vector<std::uint32_t> where_;       // slot -> index in live_
  std::vector<std::uint32_t> free_slots_;  // slots to reuse
};

constexpr std::size_t kSmallLive = 4000;

}  // namespace

Stream small_churn_lifo() {
  Builder b("small_churn_lifo", 1);
  for (std::size_t i = 0; i < kSmallLive; ++i) b.malloc(b.uniform(8, 128));
  std::vector<std::uint32_t> burst;
  for (int round = 0; round < 3000; ++round) {
    burst.clear();
    const std::uint32_t n = b.uniform(1, 64);
    for (std::uint32_t i = 0; i < n; ++i) burst.push_back(b.malloc(b.uniform(8, 128)));
    for (auto it = burst.rbegin(); it != burst.rend(); ++it) b.free(*it);
  }
  return b.finish();
}

Stream small_churn_random() {
  Builder b("small_churn_random", 2);
  for (std::size_t i = 0; i < kSmallLive; ++i) b.malloc(b.uniform(8, 128));
  for (int step = 0; step < 100000; ++step) {
    b.free_random();
    b.malloc(b.uniform(8, 128));
  }
  return b.finish();
}

Stream lua_like() {
  // Sizes of Lua 5.4 objects on x86-64: short strings (24 B header + text),
  // tables (56 B), closures and upvalues (32..64 B), array/hash parts that
  // grow by doubling, some long strings and buffers.
  Builder b("lua_like", 3);
  std::vector<std::uint32_t> arrays;  // slots of growing array parts, with their size
  std::vector<std::uint32_t> array_size;
  for (int step = 0; step < 150000; ++step) {
    const std::uint32_t r = b.uniform(0, 99);
    if (r < 25) {
      b.malloc(b.uniform(25, 40));
    } else if (r < 45) {
      b.malloc(56);
    } else if (r < 60) {
      b.malloc(b.uniform(32, 64));
    } else if (r < 75) {
      b.malloc(b.uniform(41, 128));
    } else if (r < 82) {
      b.malloc(b.uniform(129, 1024));
    } else if (r < 84) {
      b.malloc(b.uniform(1025, 8192));
    } else {
      // A table's array part grows: 16 -> 32 -> ... -> 4 KiB, then a new table.
      if (arrays.size() < 64 || b.chance(0.1)) {
        arrays.push_back(b.malloc(16));
        array_size.push_back(16);
      } else {
        const std::uint32_t i = b.uniform(0, static_cast<std::uint32_t>(arrays.size()) - 1);
        if (array_size[i] < 4096) {
          array_size[i] *= 2;
          b.realloc(arrays[i], array_size[i]);
        }
      }
    }
    // Every 5000 steps the collector sweeps: about 60% of what is live dies,
    // array parts included.
    if (step % 5000 == 4999) {
      const std::size_t target = b.live() * 4 / 10;
      while (b.live() > target) b.free_random();
      std::vector<std::uint32_t> still, still_size;
      for (std::size_t i = 0; i < arrays.size(); ++i) {
        if (b.is_live(arrays[i])) {
          still.push_back(arrays[i]);
          still_size.push_back(array_size[i]);
        }
      }
      arrays.swap(still);
      array_size.swap(still_size);
    }
  }
  return b.finish();
}

Stream crypto_vm() {
  // Big numbers, hash and cipher contexts: 32..512 B, many of them power-of-two
  // sized; most are temporaries freed in stack order, some live longer.
  Builder b("crypto_vm", 4);
  auto size = [&b] {
    static constexpr std::uint32_t common[] = {32, 48, 64, 96, 128, 256, 512};
    return b.chance(0.5) ? common[b.uniform(0, 6)] : b.uniform(32, 512);
  };
  std::vector<std::uint32_t> kept;
  for (int i = 0; i < 1000; ++i) kept.push_back(b.malloc(size()));
  std::vector<std::uint32_t> stack;
  for (int step = 0; step < 200000; ++step) {
    const std::uint32_t r = b.uniform(0, 99);
    if (r < 45 && stack.size() < 24) {
      stack.push_back(b.malloc(size()));
    } else if (r < 90 && !stack.empty()) {
      b.free(stack.back());
      stack.pop_back();
    } else {
      // A longer-lived value is replaced.
      std::uint32_t& k = kept[b.uniform(0, static_cast<std::uint32_t>(kept.size()) - 1)];
      b.free(k);
      k = b.malloc(size());
    }
  }
  return b.finish();
}

Stream mixed_sizes() {
  Builder b("mixed_sizes", 5);
  for (int i = 0; i < 2000; ++i) b.malloc(b.log_uniform(8, 4096));
  for (int step = 0; step < 100000; ++step) {
    b.free_random();
    b.malloc(b.chance(1.0 / 500) ? b.uniform(64 << 10, 1 << 20) : b.log_uniform(8, 4096));
  }
  return b.finish();
}

Stream large_blocks() {
  Builder b("large_blocks", 7);
  for (int i = 0; i < 64; ++i) b.malloc(b.log_uniform(8 << 10, 1 << 20));
  for (int step = 0; step < 20000; ++step) {
    b.free_random();
    b.malloc(b.log_uniform(8 << 10, 1 << 20));
  }
  return b.finish();
}

Stream realloc_growth() {
  Builder b("realloc_growth", 6);
  constexpr int kBuffers = 16;
  std::uint32_t slot[kBuffers], size[kBuffers];
  for (int i = 0; i < kBuffers; ++i) {
    size[i] = 16;
    slot[i] = b.malloc(16);
  }
  for (int step = 0; step < 60000; ++step) {
    const int i = static_cast<int>(b.uniform(0, kBuffers - 1));
    if (size[i] >= (64u << 10)) {
      b.free(slot[i]);
      size[i] = 16;
      slot[i] = b.malloc(16);
    } else {
      const auto grown = static_cast<std::uint32_t>(size[i] * b.real(1.25, 2.0));
      size[i] = std::min<std::uint32_t>(std::max(grown, size[i] + 16), 64u << 10);
      b.realloc(slot[i], size[i]);
    }
  }
  return b.finish();
}

}  // namespace fa32::bench
