// SPDX-License-Identifier: GPL-3.0-or-later
// A differential soak: long random workloads through the C API against a
// shadow model of what every call must do. The model holds each live block
// (pointer, requested size, usable size, kind, class, content id) and every
// statistic the header documents as exact, and predicts each call's path
// where the rules are plain (the class of a request, the large path above
// the largest class or past the realloc limit, the fallback once a class's
// pool holds all it may). Bad calls are mixed in (double frees, interior,
// foreign and stale pointers, realloc of freed blocks, overflowing
// requests), and each must be counted as the header says and change
// nothing else. Every block carries a pattern from its id, checked on
// every realloc and before every free; calloc must read zero.
//
// Bounded for CTest. Scale it up with the environment:
//   FA32_SOAK_SEEDS   seeds per case (default 2)
//   FA32_SOAK_EVENTS  calls per seed (default 4000)
//   FA32_SOAK_SEED    the first seed (default 1)
//   FA32_SOAK_CYCLES  cycles of the steady-state case (default 8)
//   FA32_SOAK_VERBOSE print the steady-state case's footprint each cycle
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

struct Scale {
  uint64_t seeds = env_u64("FA32_SOAK_SEEDS", 2);
  uint64_t events = env_u64("FA32_SOAK_EVENTS", 4000);
  uint64_t seed0 = env_u64("FA32_SOAK_SEED", 1);
};

struct Block {
  void* p;
  size_t size;
  size_t usable;
  uint64_t id;
  fastalloc32_kind kind;
  int cls;  // pool blocks: the class; else -1
};

// Every figure the header documents as exact that the model can compute.
struct Expect {
  uint64_t mallocs = 0, frees = 0, reallocs = 0;
  uint64_t pool_allocs = 0, pool_frees = 0, large_allocs = 0, large_frees = 0;
  uint64_t fallback_allocs = 0, fallback_frees = 0;
  uint64_t realloc_in_place = 0, realloc_pool_to_pool = 0, realloc_pool_to_large = 0;
  uint64_t realloc_large_to_pool = 0, realloc_large_in_place = 0, realloc_large_moved = 0;
  uint64_t realloc_fallback = 0;
  uint64_t failed_allocs = 0, invalid_frees = 0, double_frees = 0, interior_frees = 0;
  uint64_t live = 0, live_total = 0, requested = 0, requested_total = 0, reserved = 0, reserved_total = 0;
  uint64_t pool_blocks = 0, large_bytes = 0, fallback_bytes = 0;
  uint64_t large_bytes_total = 0, fallback_bytes_total = 0;
  // Peaks (kept with track_peaks), including the moment inside a realloc
  // that moves a block, when the old and the new block are both live.
  uint64_t live_peak = 0, requested_peak = 0, reserved_peak = 0, pool_blocks_peak = 0;
  void note_peaks() {
    live_peak = std::max(live_peak, live);
    requested_peak = std::max(requested_peak, requested);
    reserved_peak = std::max(reserved_peak, reserved);
    pool_blocks_peak = std::max(pool_blocks_peak, pool_blocks);
  }
};

struct ClassModel {
  uint64_t allocs = 0, frees = 0, in_use = 0, requested = 0, requested_total = 0;
  uint64_t max_blocks = UINT64_MAX;  // learned at the first fallback
  uint64_t in_use_peak = 0, requested_peak = 0;
  void* first_block = nullptr;  // the class's block 0: its first hand-out
  void note_peaks() {
    in_use_peak = std::max(in_use_peak, in_use);
    requested_peak = std::max(requested_peak, requested);
  }
};

struct ErrorCount {
  uint64_t n = 0;
  fastalloc32_status last = FASTALLOC32_OK;
  const void* ptr = nullptr;
  static void hook(fastalloc32_status s, const void* p, void* user) {
    auto* e = static_cast<ErrorCount*>(user);
    e->n++;
    e->last = s;
    e->ptr = p;
  }
};

// With secure_zero the blocks carry a pattern whose every 8-byte word is
// recognisable (its top 24 bits), so memory the manager gives back to the
// system can be searched for a caller's bytes that were not wiped.
constexpr uint64_t kSigMask = 0xFFFFFF0000000000u;
constexpr uint64_t kSig = 0xC0FFEE0000000000u;
uint64_t sig_word(uint64_t id, size_t k) {
  return kSig | ((id & 0xFFFFFF) << 16) | (k & 0xFFFF);
}
void sig_fill(void* p, size_t n, uint64_t id) {
  auto* b = static_cast<unsigned char*>(p);
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t w = sig_word(id, i / 8);
    std::memcpy(b + i, &w, std::min<size_t>(8, n - i));
  }
}
bool sig_verify(const void* p, size_t n, uint64_t id) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t w = sig_word(id, i / 8);
    if (std::memcmp(b + i, &w, std::min<size_t>(8, n - i)) != 0) return false;
  }
  return true;
}
// Whole words of a caller's pattern in [p, p + n) (p 8-byte aligned).
uint64_t sig_words(const void* p, size_t n) {
  uint64_t found = 0;
  const auto* w = static_cast<const uint64_t*>(p);
  for (size_t i = 0; i < n / 8; ++i) found += (w[i] & kSigMask) == kSig;
  return found;
}

// System hooks that refuse a share of the calls once armed (after create),
// so that every path meets E_NOMEM in the middle of a long workload.
struct Faults {
  bool armed = false;
  unsigned per_mille = 0;
  uint64_t state = 0x9e3779b97f4a7c15u;
  uint64_t refused = 0;
  bool scan = false;     // search what goes back for unwiped caller bytes
  uint64_t unwiped = 0;  // words of a caller's pattern found there
  bool fail() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    if (!armed || state % 1000 >= per_mille) return false;
    refused++;
    return true;
  }
  static void* malloc_hook(size_t size, void* user) {
    return static_cast<Faults*>(user)->fail() ? nullptr : std::malloc(size);
  }
  static void free_hook(void* p, void* user) {
    auto* f = static_cast<Faults*>(user);
    if (f->scan && p != nullptr) f->unwiped += sig_words(p, malloc_usable_size(p));
    std::free(p);
  }
  static void* map_hook(size_t size, void* user) {
    if (static_cast<Faults*>(user)->fail()) return nullptr;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  static void unmap_hook(void* p, size_t size, void* user) {
    auto* f = static_cast<Faults*>(user);
    if (f->scan) {
      // Only the pages that hold memory: a reservation may be gigabytes.
      const size_t page = size_t(sysconf(_SC_PAGESIZE));
      std::vector<unsigned char> resident((size + page - 1) / page);
      if (mincore(p, size, resident.data()) == 0) {
        for (size_t i = 0; i < resident.size(); ++i) {
          if (resident[i] & 1) f->unwiped += sig_words(static_cast<char*>(p) + i * page, page);
        }
      }
    }
    munmap(p, size);
  }
};

// Which hooks a random config gets: 0 none, 1 malloc, 2 map, 3 both.
struct Hooks {
  unsigned which = 0;
  unsigned per_mille = 0;
};

std::string describe(const fastalloc32_config& c) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "classes %u (%zu..%zu) align %zu pool %zu/%zu cache %u lcache %zu mmap %zu arena %zu sz %d "
                "peaks %d trim %d huge %d",
                c.class_count, c.block_sizes[0], c.block_sizes[c.class_count - 1], c.alignment, c.pool_size,
                c.pool_limit, c.cache_capacity, c.large_cache_bytes, c.mmap_threshold, c.large_arena_size,
                c.secure_zero, c.track_peaks, c.trim_pools, c.huge_pages);
  return buf;
}

// A random config that create_with accepts: tiny pools (fallback),
// no growth, tiny caches, odd alignments, no arena, a low mmap threshold.
fastalloc32_config random_config(std::mt19937_64& rng) {
  for (;;) {
    fastalloc32_config c;
    fastalloc32_config_init(&c);
    const unsigned align_log = rng() % 4 == 0 ? 5 + unsigned(rng() % 11) : 4;  // 16 .. 32 KiB
    c.alignment = size_t(1) << align_log;
    const size_t max_block = std::min<size_t>(65520 / c.alignment * c.alignment, 16384 << (rng() % 3));
    const unsigned want = 1 + unsigned(rng() % (rng() % 2 ? 8 : 64));
    std::vector<size_t> sizes;
    for (unsigned i = 0; i < want; ++i) {
      size_t s = (1 + rng() % (rng() % 2 ? 16 : max_block / c.alignment)) * c.alignment;
      if (s > max_block) s = max_block;
      sizes.push_back(s);
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    c.class_count = uint32_t(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) c.block_sizes[i] = sizes[i];
    const size_t largest = sizes.back();
    const uint64_t pr = rng() % 4;
    c.pool_size = pr == 0 ? largest : largest * (1 + rng() % 8) + (rng() % 2 ? 0 : rng() % 4096);
    if (c.pool_size < 4096 && rng() % 2) c.pool_size = 4096;
    const uint64_t lr = rng() % 3;
    c.pool_limit = lr == 0 ? 0 : lr == 1 ? c.pool_size : c.pool_size * (2 + rng() % 16);
    if (c.pool_limit > (size_t(8) << 20)) c.pool_limit = 0;
    const uint64_t cr = rng() % 4;
    c.cache_capacity = cr == 0 ? 0 : cr == 1 ? 1 + uint32_t(rng() % 8) : uint32_t(rng() % 4097);
    c.large_cache_bytes = rng() % 3 == 0 ? 0 : size_t(rng() % (16 << 20));
    const uint64_t mr = rng() % 4;
    c.mmap_threshold = mr == 0 ? 0 : mr == 1 ? 4096 + rng() % (256 << 10) : size_t(1 + rng() % 4) << 20;
    const uint64_t ar = rng() % 3;
    c.large_arena_size = ar == 0 ? 0 : ar == 1 ? size_t(64 + rng() % 1024) << 10 : size_t(1) << 30;
    c.secure_zero = rng() % 4 == 0;
    c.track_peaks = rng() % 2;
    c.trim_pools = rng() % 3 == 0;
    c.huge_pages = rng() % 3 != 0;
    if (fastalloc32_config_problem(&c) == nullptr) return c;
  }
}

fastalloc32_config preset(const char* name) {
  fastalloc32_config c;
  if (fastalloc32_config_preset(&c, name) != FASTALLOC32_OK) std::abort();
  return c;
}

int live_cb(void* p, size_t requested, size_t reserved, fastalloc32_kind kind, void* user) {
  static_cast<std::vector<Block>*>(user)->push_back({p, requested, reserved, 0, kind, -1});
  return 0;
}

class Soak {
 public:
  Soak(const fastalloc32_config& config, uint64_t seed, Hooks hooks = {}) : config_(config), rng_(seed) {
    config_.on_error = &ErrorCount::hook;
    config_.error_user = &errors_;
    config_.system.user = &faults_;
    if (hooks.which & 1) {
      config_.system.malloc = &Faults::malloc_hook;
      config_.system.free = &Faults::free_hook;
    }
    if (hooks.which & 2) {
      config_.system.map = &Faults::map_hook;
      config_.system.unmap = &Faults::unmap_hook;
    }
    faults_.per_mille = hooks.per_mille;
    faults_.scan = config_.secure_zero != 0;
    fastalloc32_status st = FASTALLOC32_E_CORRUPT;
    mm_ = fastalloc32_create_with(&config_, &st);
    REQUIRE(mm_ != nullptr);
    REQUIRE(st == FASTALLOC32_OK);
    fastalloc32_config got;
    REQUIRE(fastalloc32_get_config(mm_, &got) == FASTALLOC32_OK);
    CHECK(got.class_count == config_.class_count);
    CHECK(std::equal(got.block_sizes, got.block_sizes + got.class_count, config_.block_sizes));
    CHECK(got.pool_size == config_.pool_size);
    CHECK(got.pool_limit <= config_.pool_limit);
    CHECK(got.cache_capacity == config_.cache_capacity);
    CHECK(got.alignment == config_.alignment);
    CHECK(got.large_cache_bytes == config_.large_cache_bytes);
    CHECK(got.mmap_threshold == config_.mmap_threshold);
    CHECK(got.large_arena_size == config_.large_arena_size);
    CHECK(got.secure_zero == config_.secure_zero);
    CHECK(got.track_peaks == config_.track_peaks);
    CHECK(got.trim_pools == config_.trim_pools);
    CHECK(got.huge_pages == config_.huge_pages);
    config_ = got;
    classes_.resize(config_.class_count);
    max_small_ = config_.block_sizes[config_.class_count - 1];
    other_ = fastalloc32_create();
    REQUIRE(other_ != nullptr);
    other_small_ = fastalloc32_malloc(other_, 40);
    other_large_ = fastalloc32_malloc(other_, 100000);
    REQUIRE(other_small_ != nullptr);
    REQUIRE(other_large_ != nullptr);
    faults_.armed = true;
  }
  ~Soak() {
    if (mm_ != nullptr) fastalloc32_destroy(mm_);
    fastalloc32_destroy(other_);
  }
  Soak(const Soak&) = delete;
  Soak& operator=(const Soak&) = delete;

  void run(uint64_t events) {
    for (uint64_t ev = 0; ev < events; ++ev) {
      event_ = ev;
      step();
      if (ev < 3000 || ev % 61 == 0) compare_stats();
      if (ev % 997 == 0) checkpoint();
    }
    checkpoint();
    if (std::getenv("FA32_SOAK_VERBOSE") != nullptr) {
      const fastalloc32_stats s = stats(mm_);
      std::printf("%s\n", describe(config_).c_str());
#define FA32_SOAK_PRINT(name, desc) std::printf(" %s=%llu", #name, (unsigned long long)s.name);
      FASTALLOC32_COUNTERS(FA32_SOAK_PRINT)
#undef FA32_SOAK_PRINT
      std::printf("\n");
    }
  }

  // Frees everything (checking each block), or destroys with blocks live.
  void finish(bool destroy_live) {
    if (!destroy_live) {
      while (!live_.empty()) free_at(live_.size() - 1);
      checkpoint();
      fastalloc32_stats s = stats(mm_);
      CHECK(s.live_allocs.current == 0);
      CHECK(s.bytes_reserved.current == 0);
      CHECK(s.mallocs == s.frees);
    }
    faults_.armed = false;
    fastalloc32_destroy(mm_);
    mm_ = nullptr;
    // secure_zero: no caller byte went back to the system malloc or the
    // map hook unwiped, at free, at a move, or at destroy.
    CHECK(faults_.unwiped == 0);
  }

  const fastalloc32_config& config() const {
    return config_;
  }

 private:
  // ---- sizes -------------------------------------------------------------
  // Sizes at the edges where paths meet, off by one either way.
  size_t edge_size(size_t around) {
    const size_t edges[] = {around,
                            around / 2,
                            max_small_,
                            std::min<size_t>(max_small_, 4096),
                            16384,
                            config_.mmap_threshold,
                            config_.block_sizes[rng_() % config_.class_count],
                            4096 * (1 + rng_() % 64)};
    const size_t e = edges[rng_() % (sizeof edges / sizeof edges[0])];
    const size_t d = rng_() % 3;
    if (d == 0 && e > 1) return e - 1;
    if (d == 1 && e < (size_t(64) << 20)) return e + 1;
    return std::min<size_t>(e, size_t(64) << 20);
  }

  size_t random_size() {
    const uint64_t r = rng_() % 1000;
    if (r < 120) return edge_size(1 + rng_() % 100000);
    if (r < 30) return 0;
    if (r < 600) {  // near a class's size
      const size_t b = config_.block_sizes[rng_() % config_.class_count];
      const size_t lo = b > 64 ? b - 64 : 1;
      return lo + rng_() % (b + 8 - lo);
    }
    if (r < 800) return 1 + rng_() % 512;
    if (r < 950) return max_small_ + 1 + rng_() % (64 << 10);
    if (r < 990) return 1 + rng_() % (512 << 10);
    return (1 << 20) + rng_() % (3 << 20);
  }

  // ---- the model ---------------------------------------------------------
  int class_of_block(size_t block_size) const {
    for (uint32_t c = 0; c < config_.class_count; ++c)
      if (config_.block_sizes[c] == block_size) return int(c);
    return -1;
  }
  int class_for(size_t size) const {
    if (size == 0) size = 1;
    for (uint32_t c = 0; c < config_.class_count; ++c)
      if (config_.block_sizes[c] >= size) return int(c);
    return -1;
  }
  bool in_ring(const void* p) const {
    return std::find(ring_.begin(), ring_.end(), p) != ring_.end();
  }
  void remember(void* p) {
    ring_.push_back(p);
    if (ring_.size() > 64) ring_.pop_front();
  }
  bool is_live_start(const void* p) const {
    return index_.count(reinterpret_cast<uintptr_t>(p)) != 0;
  }

  void count_alloc(const Block& b) {
    switch (b.kind) {
      case FASTALLOC32_KIND_POOL: {
        ex_.pool_allocs++;
        ex_.pool_blocks++;
        ClassModel& k = classes_[size_t(b.cls)];
        if (k.first_block == nullptr) k.first_block = b.p;
        k.allocs++;
        k.in_use++;
        k.requested += b.size;
        k.requested_total += b.size;
        k.note_peaks();
        break;
      }
      case FASTALLOC32_KIND_LARGE:
        ex_.large_allocs++;
        ex_.large_bytes += b.usable;
        ex_.large_bytes_total += b.usable;
        break;
      default:
        ex_.fallback_allocs++;
        ex_.fallback_bytes += b.usable;
        ex_.fallback_bytes_total += b.usable;
        break;
    }
    ex_.live++;
    ex_.live_total++;
    ex_.requested += b.size;
    ex_.requested_total += b.size;
    ex_.reserved += b.usable;
    ex_.reserved_total += b.usable;
    ex_.note_peaks();
  }
  void count_free(const Block& b) {
    switch (b.kind) {
      case FASTALLOC32_KIND_POOL: {
        ex_.pool_frees++;
        ex_.pool_blocks--;
        ClassModel& k = classes_[size_t(b.cls)];
        k.frees++;
        k.in_use--;
        k.requested -= b.size;
        break;
      }
      case FASTALLOC32_KIND_LARGE:
        ex_.large_frees++;
        ex_.large_bytes -= b.usable;
        remember(b.p);
        break;
      default:
        ex_.fallback_frees++;
        ex_.fallback_bytes -= b.usable;
        break;
    }
    ex_.live--;
    ex_.requested -= b.size;
    ex_.reserved -= b.usable;
  }

  void add_live(const Block& b) {
    FAST_REQUIRE(!is_live_start(b.p));
    index_[reinterpret_cast<uintptr_t>(b.p)] = live_.size();
    live_.push_back(b);
  }
  Block take_live(size_t at) {
    Block b = live_[at];
    index_.erase(reinterpret_cast<uintptr_t>(b.p));
    if (at + 1 != live_.size()) {
      live_[at] = live_.back();
      index_[reinterpret_cast<uintptr_t>(live_[at].p)] = at;
    }
    live_.pop_back();
    return b;
  }

  // What a fresh block reports about itself, checked against the request.
  Block describe_new(void* p, size_t size, size_t align, bool fresh = true) {
    Block b{p, size, fastalloc32_usable_size(mm_, p), next_id_++, fastalloc32_kind_of(mm_, p), -1};
    INFO("event " << event_ << " size " << size << " align " << align);
    FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % config_.alignment == 0);
    FAST_REQUIRE(reinterpret_cast<uintptr_t>(p) % align == 0);
    FAST_REQUIRE(b.usable >= size);
    FAST_REQUIRE(b.kind != FASTALLOC32_KIND_NONE);
    if (b.kind == FASTALLOC32_KIND_POOL) {
      b.cls = class_of_block(b.usable);
      FAST_REQUIRE(b.cls >= 0);
      if (fresh) FAST_REQUIRE(classes_[size_t(b.cls)].in_use < classes_[size_t(b.cls)].max_blocks);
    } else if (b.kind == FASTALLOC32_KIND_FALLBACK) {
      FAST_REQUIRE(size <= max_small_);
      FAST_REQUIRE(b.usable <= max_small_);
    }
    return b;
  }

  // The path a small request of the default alignment must take.
  void predict_small(const Block& b, size_t size) {
    const int c = class_for(size);
    FAST_REQUIRE(c >= 0);
    ClassModel& k = classes_[size_t(c)];
    if (b.kind == FASTALLOC32_KIND_POOL) {
      FAST_REQUIRE(b.cls == c);
      return;
    }
    FAST_REQUIRE(b.kind == FASTALLOC32_KIND_FALLBACK);
    FAST_REQUIRE(b.usable <= config_.block_sizes[size_t(c)]);
    if (k.max_blocks == UINT64_MAX) {
      // The first fallback of this class: its pool holds all it may.
      const fastalloc32_class_stats cs = class_stats(mm_, uint32_t(c));
      FAST_REQUIRE(cs.blocks_in_use.current == k.in_use);
      FAST_REQUIRE(cs.capacity_blocks == k.in_use);
      k.max_blocks = k.in_use;
    } else {
      FAST_REQUIRE(k.in_use == k.max_blocks);
    }
  }

  void fill_block(const Block& b) {
    if (config_.secure_zero) {
      sig_fill(b.p, b.size, b.id);
    } else {
      fill(b.p, b.size, b.id);
    }
  }
  bool content_ok(const Block& b, size_t n) const {
    return config_.secure_zero ? sig_verify(b.p, n, b.id) : verify(b.p, n, b.id);
  }

  // ---- events ------------------------------------------------------------
  void step() {
    const uint64_t r = rng_() % 1000;
    const bool grow = live_.size() < target_ ? r < 520 : r < 420;
    if (event_ % 5000 == 0) target_ = 50 + rng_() % 3000;
    if (event_ % 5000 == 2500) return burst();
    if (r >= 985) return bad_call();
    if (r >= 975) return failing_call();
    if (live_.empty() || grow) return allocate();
    if (r < 700) return free_at(rng_() % live_.size());
    return realloc_at(rng_() % live_.size());
  }

  void allocate() {
    size_t size = random_size();
    const uint64_t how = rng_() % 100;
    void* p = nullptr;
    size_t align = 1;
    bool zero = false;
    bool plain = true;  // default alignment: the path is predictable
    if (how < 50) {
      p = fastalloc32_malloc(mm_, size);
    } else if (how < 65) {
      zero = true;
      size_t count = 1 + rng_() % 4;
      size_t each = size / count;
      size = count * each;
      p = fastalloc32_calloc(mm_, count, each);
    } else if (how < 75) {
      p = fastalloc32_realloc(mm_, nullptr, size);
    } else if (how < 85) {
      if (size == 0) size = 1;
      p = fastalloc32_lua_alloc(mm_, nullptr, rng_() % 9, size);
    } else {
      align = size_t(1) << (rng_() % (rng_() % 8 == 0 ? 18 : 13));
      plain = align <= config_.alignment;
      p = fastalloc32_aligned_alloc(mm_, align, size);
    }
    INFO("allocate " << size << " event " << event_);
    if (p == nullptr && faults_.refused != refused_seen_) {
      refused_seen_ = faults_.refused;
      FAST_REQUIRE(fastalloc32_last_status(mm_) == FASTALLOC32_E_NOMEM);
      ex_.failed_allocs++;
      return;
    }
    refused_seen_ = faults_.refused;
    FAST_REQUIRE(p != nullptr);
    Block b = describe_new(p, size, align);
    if (zero) FAST_REQUIRE(all_zero(p, size));
    if (plain) {
      if (size <= max_small_) {
        predict_small(b, size);
      } else {
        FAST_REQUIRE(b.kind == FASTALLOC32_KIND_LARGE);
      }
    }
    ex_.mallocs++;
    count_alloc(b);
    fill_block(b);
    add_live(b);
  }

  // Many blocks of one size at once (a class's pool fills, grows or falls
  // back; their frees overflow its cache into the free list), then the
  // live set drifts back to its target.
  void burst() {
    if (burst_size_ == 0 || rng_() % 2) burst_size_ = 1 + rng_() % std::min<size_t>(max_small_, 2048);
    const size_t size = burst_size_;
    const uint64_t n = 500 + rng_() % 12000;
    for (uint64_t i = 0; i < n; ++i) {
      void* p = fastalloc32_malloc(mm_, size);
      if (p == nullptr && faults_.refused != refused_seen_) {
        refused_seen_ = faults_.refused;
        FAST_REQUIRE(fastalloc32_last_status(mm_) == FASTALLOC32_E_NOMEM);
        ex_.failed_allocs++;
        continue;
      }
      FAST_REQUIRE(p != nullptr);
      Block b = describe_new(p, size, 1);
      predict_small(b, size);
      ex_.mallocs++;
      count_alloc(b);
      fill_block(b);
      add_live(b);
    }
    compare_stats();
    // Free most of them again, newest and oldest mixed.
    for (uint64_t i = 0; i < n * 3 / 4 && live_.size() > 1; ++i) free_at(live_.size() - 1 - rng_() % 2);
    compare_stats();
  }

  void free_at(size_t at) {
    Block b = take_live(at);
    INFO("free event " << event_ << " size " << b.size << " kind " << int(b.kind));
    FAST_REQUIRE(content_ok(b, b.size));
    FAST_REQUIRE(fastalloc32_usable_size(mm_, b.p) == b.usable);
    const uint64_t how = rng_() % 10;
    if (how < 6) {
      fastalloc32_free(mm_, b.p);
    } else if (how < 8) {
      FAST_REQUIRE(fastalloc32_realloc(mm_, b.p, 0) == nullptr);
    } else {
      FAST_REQUIRE(fastalloc32_lua_alloc(mm_, b.p, b.size, 0) == nullptr);
    }
    ex_.frees++;
    count_free(b);
    // secure_zero wipes a pool block as it is freed (its memory stays
    // mapped, so it can be read).
    if (config_.secure_zero && b.kind == FASTALLOC32_KIND_POOL) FAST_REQUIRE(all_zero(b.p, b.usable));
    dead_.push_back(b);
    if (dead_.size() > 256) dead_.erase(dead_.begin(), dead_.begin() + 128);
  }

  void realloc_at(size_t at) {
    Block b = live_[at];
    INFO("realloc event " << event_ << " from " << b.size << " kind " << int(b.kind));
    FAST_REQUIRE(content_ok(b, b.size));
    const uint64_t pick = rng_() % 4;
    size_t size = pick == 0 ? b.size + rng_() % 256 : pick == 1 ? edge_size(b.usable) : random_size();
    const uint64_t how = rng_() % 4;
    if (size == 0) size = 1;
    const bool lua = how == 0;
    const bool lua_shrink = lua && size <= b.size;
    void* q = nullptr;
    const bool large_from = b.kind == FASTALLOC32_KIND_LARGE;
    fastalloc32_stats before{};
    if (large_from) before = stats(mm_);
    if (lua) {
      q = fastalloc32_lua_alloc(mm_, b.p, b.size, size);
    } else {
      q = fastalloc32_realloc(mm_, b.p, size);
    }
    INFO("to " << size);
    if (q == nullptr && faults_.refused != refused_seen_ && !lua_shrink) {
      // Refused: the block is untouched, the call counted.
      refused_seen_ = faults_.refused;
      FAST_REQUIRE(fastalloc32_last_status(mm_) == FASTALLOC32_E_NOMEM);
      FAST_REQUIRE(content_ok(b, b.size));
      FAST_REQUIRE(fastalloc32_usable_size(mm_, b.p) == b.usable);
      FAST_REQUIRE(fastalloc32_kind_of(mm_, b.p) == b.kind);
      ex_.failed_allocs++;
      ex_.reallocs++;
      return;
    }
    refused_seen_ = faults_.refused;
    FAST_REQUIRE(q != nullptr);
    take_live(at);
    Block nb = describe_new(q, size, 1, q != b.p);
    nb.id = b.id;
    next_id_--;
    const size_t kept = std::min(size, b.size);
    FAST_REQUIRE(content_ok({q, 0, 0, b.id, b.kind, -1}, kept));
    ex_.reallocs++;
    const bool moved = q != b.p;
    if (!moved) FAST_REQUIRE(nb.kind == b.kind);
    const size_t limit = std::min<size_t>(4096, max_small_);
    if (b.kind == FASTALLOC32_KIND_POOL) {
      if (size <= b.usable) {
        FAST_REQUIRE(!moved);
      } else if (size <= limit) {
        predict_small(nb, size);
      } else {
        FAST_REQUIRE(nb.kind == FASTALLOC32_KIND_LARGE);
      }
    } else if (b.kind == FASTALLOC32_KIND_FALLBACK) {
      if (size <= b.usable) FAST_REQUIRE(!moved);
      if (moved) {
        if (size <= limit) {
          predict_small(nb, size);
        } else {
          FAST_REQUIRE(nb.kind == FASTALLOC32_KIND_LARGE);
        }
      }
    } else {
      // A size the block holds as growth, or its usable size, keeps it
      // (an aligned block may be large at a class's size).
      const bool holds = size == b.usable || (size > b.size && size < b.usable);
      if (holds) {
        FAST_REQUIRE(!moved);
      } else if (size <= limit) {
        // To a class; a Lua shrink may keep the block when none can be had.
        if (!(lua_shrink && !moved)) predict_small(nb, size);
      } else {
        FAST_REQUIRE(nb.kind == FASTALLOC32_KIND_LARGE);
      }
    }
    if (!moved) {
      // Same block: only its sizes change.
      resize_model(b, nb);
      if (nb.kind == FASTALLOC32_KIND_POOL) {
        ex_.realloc_in_place++;
      } else if (nb.kind == FASTALLOC32_KIND_LARGE) {
        ex_.realloc_large_in_place++;
      } else {
        ex_.realloc_fallback++;
      }
    } else if (large_from && nb.kind == FASTALLOC32_KIND_LARGE) {
      const fastalloc32_stats after = stats(mm_);
      if (after.realloc_large_moved == before.realloc_large_moved + 1) {
        count_alloc(nb);
        count_free(b);
        ex_.realloc_large_moved++;
      } else {
        // mremap moved the mapping: one block at a new address, the old
        // pointer given up.
        FAST_REQUIRE(after.realloc_large_in_place == before.realloc_large_in_place + 1);
        resize_model(b, nb);
        remember(b.p);
        ex_.realloc_large_in_place++;
      }
    } else {
      count_alloc(nb);
      count_free(b);
      if (b.kind == FASTALLOC32_KIND_FALLBACK || nb.kind == FASTALLOC32_KIND_FALLBACK) {
        ex_.realloc_fallback++;
      } else if (b.kind == FASTALLOC32_KIND_POOL) {
        (nb.kind == FASTALLOC32_KIND_POOL ? ex_.realloc_pool_to_pool : ex_.realloc_pool_to_large)++;
      } else {
        (nb.kind == FASTALLOC32_KIND_POOL ? ex_.realloc_large_to_pool : ex_.realloc_large_moved)++;
      }
    }
    if (moved) {
      // secure_zero wipes the block a realloc moved away from (a pool
      // block's memory stays mapped, so it can be read).
      if (config_.secure_zero && b.kind == FASTALLOC32_KIND_POOL) FAST_REQUIRE(all_zero(b.p, b.usable));
      dead_.push_back(b);
      if (dead_.size() > 256) dead_.erase(dead_.begin(), dead_.begin() + 128);
    }
    fill_block(nb);
    add_live(nb);
  }

  // A block that stays (or is remapped) changes its sizes; the totals add
  // what it grew by.
  void resize_model(const Block& old, const Block& nb) {
    FAST_REQUIRE(old.kind == nb.kind);
    FAST_REQUIRE(old.cls == nb.cls);
    const auto grew = [](uint64_t from, uint64_t to) { return to > from ? to - from : 0; };
    ex_.requested += nb.size - old.size;  // modulo 2^64
    ex_.requested_total += grew(old.size, nb.size);
    ex_.reserved += nb.usable - old.usable;
    ex_.reserved_total += grew(old.usable, nb.usable);
    if (nb.kind == FASTALLOC32_KIND_POOL) {
      ClassModel& k = classes_[size_t(nb.cls)];
      k.requested += nb.size - old.size;
      k.requested_total += grew(old.size, nb.size);
      k.note_peaks();
      FAST_REQUIRE(nb.usable == old.usable);
    } else if (nb.kind == FASTALLOC32_KIND_LARGE) {
      ex_.large_bytes += nb.usable - old.usable;
      ex_.large_bytes_total += grew(old.usable, nb.usable);
    } else {
      FAST_REQUIRE(nb.usable == old.usable);
    }
    ex_.note_peaks();
  }

  // Requests that must fail, counted in failed_allocs, nothing else moved.
  void failing_call() {
    const uint64_t how = rng_() % 5;
    // Through volatile: the header's alloc_size attributes make the
    // compiler refuse a constant this large.
    volatile size_t top = SIZE_MAX, quarter = SIZE_MAX >> 2;
    void* p = nullptr;
    fastalloc32_status want = FASTALLOC32_E_OVERFLOW;
    if (how == 0) {
      p = fastalloc32_malloc(mm_, top - rng_() % 64);
    } else if (how == 1) {
      p = fastalloc32_calloc(mm_, quarter + rng_() % 64, 8);
    } else if (how == 2) {
      p = fastalloc32_aligned_alloc(mm_, 64, top - rng_() % 4096);
    } else if (how == 3 && !live_.empty()) {
      Block& b = live_[rng_() % live_.size()];
      p = fastalloc32_realloc(mm_, b.p, top - rng_() % 64);
      ex_.reallocs++;  // a live pointer and a size: counted, failed or not
      FAST_REQUIRE(content_ok(b, b.size));
      FAST_REQUIRE(fastalloc32_usable_size(mm_, b.p) == b.usable);
    } else {
      want = FASTALLOC32_E_BAD_ALIGNMENT;
      p = fastalloc32_aligned_alloc(mm_, 48 + 32 * (rng_() % 4), 100);
    }
    FAST_REQUIRE(p == nullptr);
    INFO("failing call " << how << " event " << event_);
    if (want == FASTALLOC32_E_OVERFLOW) {
      FAST_REQUIRE(fastalloc32_last_status(mm_) == FASTALLOC32_E_OVERFLOW ||
                   fastalloc32_last_status(mm_) == FASTALLOC32_E_NOMEM);
      ex_.failed_allocs++;
    } else {
      FAST_REQUIRE(fastalloc32_last_status(mm_) == want);
    }
  }

  enum class Bad { invalid, double_free, interior, any };

  void bad_pointer(void* p, Bad want) {
    const uint64_t errors_before = errors_.n;
    FAST_REQUIRE(fastalloc32_usable_size(mm_, p) == 0);
    FAST_REQUIRE(fastalloc32_kind_of(mm_, p) == FASTALLOC32_KIND_NONE);
    const fastalloc32_stats before = stats(mm_);
    const bool by_realloc = rng_() % 3 == 0;
    if (by_realloc) {
      FAST_REQUIRE(fastalloc32_realloc(mm_, p, 1 + rng_() % 300) == nullptr);
    } else {
      fastalloc32_free(mm_, p);
    }
    const fastalloc32_stats after = stats(mm_);
    INFO("bad pointer event " << event_ << " want " << int(want) << " by realloc " << by_realloc);
    FAST_REQUIRE(errors_.n == errors_before + 1);
    FAST_REQUIRE(errors_.ptr == p);
    const uint64_t di = after.invalid_frees - before.invalid_frees;
    const uint64_t dd = after.double_frees - before.double_frees;
    const uint64_t dn = after.interior_frees - before.interior_frees;
    INFO("pointer " << p << " counted invalid " << di << " double " << dd << " interior " << dn);
    FAST_REQUIRE(di + dd + dn == 1);
    const fastalloc32_status st = fastalloc32_last_status(mm_);
    FAST_REQUIRE(errors_.last == st);
    FAST_REQUIRE(st == (di   ? FASTALLOC32_E_INVALID_FREE
                        : dd ? FASTALLOC32_E_DOUBLE_FREE
                             : FASTALLOC32_E_INTERIOR_POINTER));
    switch (want) {
      case Bad::invalid:
        FAST_REQUIRE(di == 1);
        break;
      case Bad::double_free:
        FAST_REQUIRE(dd == 1);
        break;
      case Bad::interior:
        FAST_REQUIRE(dn == 1);
        break;
      case Bad::any:
        break;
    }
    ex_.invalid_frees += di;
    ex_.double_frees += dd;
    ex_.interior_frees += dn;
    FAST_REQUIRE(fastalloc32_check(mm_) == FASTALLOC32_OK);
  }

  void bad_call() {
    const uint64_t how = rng_() % 6;
    INFO("bad call " << how);
    if (how == 0 && !dead_.empty()) {
      const Block& d = dead_[rng_() % dead_.size()];
      if (is_live_start(d.p)) return;  // handed out again: a valid pointer now
      Bad want = Bad::any;
      if (in_ring(d.p)) {
        want = Bad::double_free;
      } else if (d.kind == FASTALLOC32_KIND_POOL) {
        // A double free while the block is below the class's bump; a trim
        // may have given it back (touched_bytes is bump * block_size), and
        // then it is no block at all.
        const ClassModel& k = classes_[size_t(d.cls)];
        const uint64_t index =
            uint64_t(static_cast<char*>(d.p) - static_cast<char*>(k.first_block)) / d.usable;
        const uint64_t bump = class_stats(mm_, uint32_t(d.cls)).touched_bytes / d.usable;
        want = index < bump ? Bad::double_free : Bad::invalid;
        if (config_.trim_pools == 0) FAST_REQUIRE(index < bump);
      }
      return bad_pointer(d.p, want);
    }
    if (how == 1 && !live_.empty()) {
      const Block& b = live_[rng_() % live_.size()];
      if (b.usable < 2) return;
      const size_t off = 1 + rng_() % (b.usable - 1);
      char* p = static_cast<char*>(b.p) + off;
      if (is_live_start(p)) return;
      Bad want = Bad::interior;
      if (b.kind != FASTALLOC32_KIND_POOL && in_ring(p)) want = Bad::double_free;
      return bad_pointer(p, want);
    }
    if (how == 2) {
      int on_stack = 0;
      return bad_pointer(&on_stack, in_ring(&on_stack) ? Bad::double_free : Bad::invalid);
    }
    if (how == 3) {
      void* g = std::malloc(16 + rng_() % 200);
      REQUIRE(g != nullptr);
      bad_pointer(g, in_ring(g) ? Bad::double_free : Bad::invalid);
      std::free(g);
      return;
    }
    if (how == 4) {
      void* o = rng_() % 2 ? other_small_ : other_large_;
      return bad_pointer(o, in_ring(o) ? Bad::double_free : Bad::invalid);
    }
    if (how == 5 && rng_() % 2) {
      // Below a class's first block: the colour in front of it (its
      // stride starts at a page), owned by no block. A class aligned to a
      // page or more has no colour: the bytes in front are another
      // class's.
      const ClassModel& k = classes_[rng_() % classes_.size()];
      const size_t colour = reinterpret_cast<uintptr_t>(k.first_block) % 4096;
      if (k.first_block != nullptr && colour >= 16) {
        const size_t back = 16 * (1 + rng_() % std::min<size_t>(8, colour / 16));
        return bad_pointer(static_cast<char*>(k.first_block) - back, Bad::invalid);
      }
      // A large block's page start, in front of its colour (or, for a
      // block of the system malloc, someone else's memory).
      if (!live_.empty()) {
        const Block& b = live_[rng_() % live_.size()];
        const uintptr_t page = reinterpret_cast<uintptr_t>(b.p) & ~uintptr_t(4095);
        if (b.kind == FASTALLOC32_KIND_LARGE && page != reinterpret_cast<uintptr_t>(b.p) &&
            !is_live_start(reinterpret_cast<void*>(page))) {
          return bad_pointer(reinterpret_cast<void*>(page), Bad::any);
        }
      }
      return;
    }
    // NULL is ignored by free and is malloc for realloc: not bad at all.
    const uint64_t e = errors_.n;
    fastalloc32_free(mm_, nullptr);
    FAST_REQUIRE(errors_.n == e);
  }

  // ---- comparison --------------------------------------------------------
  void compare_stats() {
    const fastalloc32_stats s = stats(mm_);
    INFO("event " << event_ << " config " << describe(config_));
#define FA32_SOAK_EQ(a, b) \
  do {                     \
    if ((a) != (b)) {      \
      CHECK((a) == (b));   \
      FAIL("stats drift"); \
    }                      \
  } while (0)
    FA32_SOAK_EQ(s.mallocs, ex_.mallocs);
    FA32_SOAK_EQ(s.frees, ex_.frees);
    FA32_SOAK_EQ(s.reallocs, ex_.reallocs);
    FA32_SOAK_EQ(s.pool_allocs, ex_.pool_allocs);
    FA32_SOAK_EQ(s.pool_frees, ex_.pool_frees);
    FA32_SOAK_EQ(s.cache_hits + s.freelist_hits + s.fresh_blocks, s.pool_allocs);
    FA32_SOAK_EQ(s.large_allocs, ex_.large_allocs);
    FA32_SOAK_EQ(s.large_frees, ex_.large_frees);
    FA32_SOAK_EQ(s.fallback_allocs, ex_.fallback_allocs);
    FA32_SOAK_EQ(s.fallback_frees, ex_.fallback_frees);
    FA32_SOAK_EQ(s.realloc_in_place, ex_.realloc_in_place);
    FA32_SOAK_EQ(s.realloc_pool_to_pool, ex_.realloc_pool_to_pool);
    FA32_SOAK_EQ(s.realloc_pool_to_large, ex_.realloc_pool_to_large);
    FA32_SOAK_EQ(s.realloc_large_to_pool, ex_.realloc_large_to_pool);
    FA32_SOAK_EQ(s.realloc_large_in_place, ex_.realloc_large_in_place);
    FA32_SOAK_EQ(s.realloc_large_moved, ex_.realloc_large_moved);
    FA32_SOAK_EQ(s.realloc_fallback, ex_.realloc_fallback);
    FA32_SOAK_EQ(s.failed_allocs, ex_.failed_allocs);
    FA32_SOAK_EQ(s.invalid_frees, ex_.invalid_frees);
    FA32_SOAK_EQ(s.double_frees, ex_.double_frees);
    FA32_SOAK_EQ(s.interior_frees, ex_.interior_frees);
    FA32_SOAK_EQ(s.live_allocs.current, ex_.live);
    FA32_SOAK_EQ(s.live_allocs.total, ex_.live_total);
    FA32_SOAK_EQ(s.bytes_requested.current, ex_.requested);
    FA32_SOAK_EQ(s.bytes_requested.total, ex_.requested_total);
    FA32_SOAK_EQ(s.bytes_reserved.current, ex_.reserved);
    FA32_SOAK_EQ(s.bytes_reserved.total, ex_.reserved_total);
    FA32_SOAK_EQ(s.pool_blocks.current, ex_.pool_blocks);
    FA32_SOAK_EQ(s.large_bytes.current, ex_.large_bytes);
    FA32_SOAK_EQ(s.fallback_bytes.current, ex_.fallback_bytes);
    FA32_SOAK_EQ(s.large_bytes.total, ex_.large_bytes_total);
    FA32_SOAK_EQ(s.fallback_bytes.total, ex_.fallback_bytes_total);
    FA32_SOAK_EQ(s.pool_blocks.total, ex_.pool_allocs);
    FA32_SOAK_EQ(s.metadata.current, s.footprint_now.metadata);
    FAST_REQUIRE(s.footprint_now.large_cache <= config_.large_cache_bytes);
    FAST_REQUIRE(s.footprint_now.pools % 4096 == 0);
    const fastalloc32_footprint_parts& at = s.footprint_at_peak;
    FA32_SOAK_EQ(at.pools + at.metadata + at.large_arena + at.large_blocks + at.large_cache + at.fallback,
                 s.footprint.peak);
    const fastalloc32_footprint_parts& f = s.footprint_now;
    FA32_SOAK_EQ(f.pools + f.metadata + f.large_arena + f.large_blocks + f.large_cache + f.fallback,
                 s.footprint.current);
    if (config_.track_peaks) {
      FA32_SOAK_EQ(s.peaks_tracked, 1u);
      FA32_SOAK_EQ(s.live_allocs.peak, ex_.live_peak);
      FA32_SOAK_EQ(s.bytes_requested.peak, ex_.requested_peak);
      FA32_SOAK_EQ(s.bytes_reserved.peak, ex_.reserved_peak);
      FA32_SOAK_EQ(s.pool_blocks.peak, ex_.pool_blocks_peak);
    } else {
      FA32_SOAK_EQ(s.peaks_tracked, 0u);
      FA32_SOAK_EQ(s.live_allocs.peak, 0u);
      FA32_SOAK_EQ(s.bytes_requested.peak, 0u);
      FA32_SOAK_EQ(s.bytes_reserved.peak, 0u);
      FA32_SOAK_EQ(s.pool_blocks.peak, 0u);
    }
    FAST_REQUIRE(s.footprint.peak >= s.footprint.current);
    uint64_t fallback_per_class = 0;
    for (uint32_t c = 0; c < config_.class_count; ++c) {
      const fastalloc32_class_stats cs = class_stats(mm_, c);
      const ClassModel& k = classes_[c];
      INFO("class " << c << " block " << cs.block_size);
      FA32_SOAK_EQ(cs.allocs, k.allocs);
      FA32_SOAK_EQ(cs.frees, k.frees);
      FA32_SOAK_EQ(cs.blocks_in_use.current, k.in_use);
      FA32_SOAK_EQ(cs.bytes_requested.current, k.requested);
      FA32_SOAK_EQ(cs.bytes_requested.total, k.requested_total);
      FA32_SOAK_EQ(cs.blocks_in_use.peak, k.in_use_peak);
      if (config_.trim_pools == 0) {
        // Without trims a fresh block is taken only past every block used
        // before: one per block of the class's high-water mark.
        FA32_SOAK_EQ(cs.fresh_blocks, k.in_use_peak);
        FA32_SOAK_EQ(cs.touched_bytes, k.in_use_peak * cs.block_size);
      }
      FA32_SOAK_EQ(cs.bytes_requested.peak, config_.track_peaks ? k.requested_peak : 0u);
      FA32_SOAK_EQ(cs.cache_hits + cs.freelist_hits + cs.fresh_blocks, cs.allocs);
      FAST_REQUIRE(cs.cached_blocks <= config_.cache_capacity);
      FAST_REQUIRE(cs.blocks_in_use.peak <= cs.capacity_blocks);
      fallback_per_class += cs.fallback_allocs;
    }
    FA32_SOAK_EQ(fallback_per_class, s.fallback_allocs);
#undef FA32_SOAK_EQ
  }

  void checkpoint() {
    INFO("checkpoint at event " << event_ << " config " << describe(config_));
    REQUIRE(fastalloc32_check(mm_) == FASTALLOC32_OK);
    compare_stats();
    // The live listing is the model's live set, exactly.
    std::vector<Block> listed;
    fastalloc32_for_each_live(mm_, &live_cb, &listed);
    REQUIRE(listed.size() == live_.size());
    for (const Block& l : listed) {
      const auto it = index_.find(reinterpret_cast<uintptr_t>(l.p));
      REQUIRE(it != index_.end());
      const Block& b = live_[it->second];
      CHECK(l.size == b.size);
      CHECK(l.usable == b.usable);
      CHECK(l.kind == b.kind);
    }
    // Every live block's content intact.
    for (const Block& b : live_) FAST_REQUIRE(content_ok(b, b.size));
  }

  fastalloc32_config config_;
  std::mt19937_64 rng_;
  ErrorCount errors_;
  Faults faults_;
  uint64_t refused_seen_ = 0;
  fastalloc32_mm* mm_ = nullptr;
  fastalloc32_mm* other_ = nullptr;
  void* other_small_ = nullptr;
  void* other_large_ = nullptr;
  size_t max_small_ = 0;
  std::vector<Block> live_;
  std::unordered_map<uintptr_t, size_t> index_;
  std::vector<Block> dead_;
  std::deque<void*> ring_;
  std::vector<ClassModel> classes_;
  Expect ex_;
  uint64_t next_id_ = 1;
  uint64_t event_ = 0;
  size_t target_ = 500;
  size_t burst_size_ = 0;
};

}  // namespace

TEST_CASE("soak: every preset against the model") {
  const Scale scale;
  for (unsigned i = 0; const char* name = fastalloc32_preset_name(i); ++i) {
    for (uint64_t seed = scale.seed0; seed < scale.seed0 + scale.seeds; ++seed) {
      INFO("preset " << std::string(name) << " seed " << seed);
      Soak soak(preset(name), seed);
      soak.run(scale.events);
      soak.finish(seed % 2 == 0);
    }
  }
}

TEST_CASE("soak: random valid configs against the model") {
  const Scale scale;
  for (uint64_t seed = scale.seed0; seed < scale.seed0 + 4 * scale.seeds; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    const fastalloc32_config c = random_config(rng);
    Hooks hooks;
    if (rng() % 2 || c.secure_zero)
      hooks = {unsigned(1 + rng() % 3), unsigned(rng() % 3 == 0 ? 0 : 1 + rng() % 30)};
    INFO("seed " << seed << " config " << describe(c) << " hooks " << hooks.which << " faults/1000 "
                 << hooks.per_mille);
    Soak soak(c, seed, hooks);
    soak.run(scale.events);
    soak.finish(seed % 3 == 0);
  }
}

namespace {

// One cycle: a live set built (with reallocs among it) and freed in full.
// The same seed each time, so every cycle asks for the same sizes.
void cycle(fastalloc32_mm* mm, uint64_t seed, size_t blocks) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<void*, size_t>> live;
  for (size_t i = 0; i < blocks; ++i) {
    const uint64_t r = rng() % 100;
    size_t size = r < 70   ? 1 + rng() % 1024
                  : r < 90 ? 1 + rng() % 20000
                  : r < 98 ? 1 + rng() % 300000
                           : 2000000;
    void* p = rng() % 4 == 0 ? fastalloc32_calloc(mm, 1, size) : fastalloc32_malloc(mm, size);
    FAST_REQUIRE(p != nullptr);
    fill(p, size, i);
    if (!live.empty() && rng() % 5 == 0) {
      auto& v = live[rng() % live.size()];
      const size_t to = 1 + rng() % (v.second * 2 + 64);
      void* q = fastalloc32_realloc(mm, v.first, to);
      FAST_REQUIRE(q != nullptr);
      v = {q, to};
    }
    if (!live.empty() && rng() % 3 == 0) {
      const size_t at = rng() % live.size();
      fastalloc32_free(mm, live[at].first);
      live[at] = live.back();
      live.pop_back();
    }
    live.push_back({p, size});
  }
  for (auto& v : live) fastalloc32_free(mm, v.first);
}

}  // namespace

// The large cache may hold up to large_cache_bytes of blocks the next
// cycle does not ask for (until 1024 large allocations pass them by), and
// the arena's free spans may settle a few pages higher as its colours
// shift: beyond those, the work done again holds nothing more.
TEST_CASE("soak: the same work again holds no more memory (every preset)") {
  const Scale scale;
  const int cycles = int(env_u64("FA32_SOAK_CYCLES", 8));
  const uint64_t seeds = scale.seeds > 1 ? scale.seeds / 2 : 1;
  for (unsigned i = 0; const char* name = fastalloc32_preset_name(i); ++i) {
    for (const bool cache : {true, false}) {
      for (uint64_t seed = scale.seed0; seed < scale.seed0 + seeds; ++seed) {
        INFO("preset " << std::string(name) << " seed " << seed << " large cache " << cache);
        fastalloc32_config config = preset(name);
        if (!cache) config.large_cache_bytes = 0;
        Mm mm = make(config);
        std::vector<fastalloc32_stats> after;
        for (int c = 0; c < cycles; ++c) {
          cycle(mm.get(), seed, 1000);
          REQUIRE(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
          after.push_back(stats(mm.get()));
          const fastalloc32_stats& s = after.back();
          REQUIRE(s.live_allocs.current == 0);
          if (std::getenv("FA32_SOAK_VERBOSE") != nullptr) {
            std::printf(
                "%s cache %d seed %llu cycle %d: peak %llu now %llu maps-unmaps %llu cache %llu arena %llu "
                "pools %llu fallback %llu meta %llu\n",
                name, int(cache), (unsigned long long)seed, c, (unsigned long long)s.footprint.peak,
                (unsigned long long)s.footprint.current, (unsigned long long)(s.sys_maps - s.sys_unmaps),
                (unsigned long long)s.footprint_now.large_cache,
                (unsigned long long)s.footprint_now.large_arena, (unsigned long long)s.footprint_now.pools,
                (unsigned long long)s.footprint_now.fallback, (unsigned long long)s.footprint_now.metadata);
          }
        }
        const fastalloc32_stats& warm = after[2];
        const uint64_t slack = warm.footprint.peak / 100;
        for (size_t c = 3; c < after.size(); ++c) {
          INFO("cycle " << c);
          const fastalloc32_stats& s = after[c];
          CHECK(s.footprint.peak <= warm.footprint.peak + config.large_cache_bytes + slack);
          CHECK(s.footprint.current - s.footprint_now.large_cache <=
                warm.footprint.current - warm.footprint_now.large_cache + slack);
          CHECK(s.footprint_now.large_cache <= config.large_cache_bytes);
          // (trim_pools gives pages back and takes them again as it goes)
          if (config.trim_pools == 0) CHECK(s.footprint_now.pools <= warm.footprint_now.pools);
          CHECK(s.footprint_now.fallback <= warm.footprint_now.fallback);
          CHECK(s.metadata.current <= warm.metadata.current);
        }
      }
    }
  }
}

TEST_CASE("soak: destroy with live blocks of every kind leaves nothing behind") {
  // Run under LeakSanitizer (FA32_SANITIZE): a slab, a system block or a
  // table the destroy forgot is reported at exit.
  for (unsigned i = 0; const char* name = fastalloc32_preset_name(i); ++i) {
    fastalloc32_config c = preset(name);
    c.pool_limit = 0;  // classes fill and fall back
    c.pool_size = c.block_sizes[c.class_count - 1];
    c.mmap_threshold = 200000;
    Mm mm = make(c);
    std::mt19937_64 rng(i);
    for (int n = 0; n < 3000; ++n) {
      const size_t size = rng() % 10 == 0 ? 1 + rng() % 400000 : 1 + rng() % 2048;
      FAST_REQUIRE(fastalloc32_malloc(mm.get(), size) != nullptr);
    }
    const fastalloc32_stats s = stats(mm.get());
    CHECK(s.fallback_allocs > 0);
    CHECK(s.large_allocs > 0);
    CHECK(s.sys_mallocs > 0);
    mm.reset();
  }
}
