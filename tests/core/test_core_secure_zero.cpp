// SPDX-License-Identifier: GPL-3.0-or-later
// secure_zero: no byte a caller freed or gave back is ever handed out again
// unwiped, on any path (pool, fallback, large cache, large heap blocks, the
// arena, mmap), shrinks in place included, and destroy gives nothing a
// caller wrote back to the system malloc or the map hook.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr size_t KiB = 1024;

// What callers write: a 16-byte word no allocator metadata contains. Blocks
// are 16-byte aligned, so the secret lies at 16-byte aligned addresses.
const unsigned char kSecret[16] = {0x5e, 0xc2, 0xe7, 0x00, 0xfa, 0x32, 0xde, 0xad,
                                   0xbe, 0xef, 0x5e, 0xc2, 0xe7, 0x01, 0x77, 0x99};

void write_secret(void* p, size_t n) {
  auto* b = static_cast<unsigned char*>(p);
  for (size_t i = 0; i + 16 <= n; i += 16) std::memcpy(b + i, kSecret, 16);
}

// Secret words in [p, p + n): 0 when nothing a caller wrote is there.
size_t count_secret(const void* p, size_t n) {
  auto addr = reinterpret_cast<uintptr_t>(p);
  const uintptr_t end = addr + n;
  addr = (addr + 15) & ~uintptr_t(15);
  size_t found = 0;
  for (; addr + 16 <= end; addr += 16) {
    if (std::memcmp(reinterpret_cast<const void*>(addr), kSecret, 16) == 0) ++found;
  }
  return found;
}

// System hooks that look into every block and mapping given back for
// secret words (a map hook's memory may be handed out again by whatever
// backs it, as the system malloc's is).
struct SecretSpy {
  std::map<void*, size_t> blocks;  // from malloc, with their sizes
  size_t maps = 0;
  size_t leaked = 0;  // secret words seen in memory given back

  static void* malloc_hook(size_t size, void* user) {
    auto& self = *static_cast<SecretSpy*>(user);
    void* p = std::malloc(size);
    if (p != nullptr) {
      std::memset(p, 0, size);  // nothing of anyone else's in what we hand out
      self.blocks[p] = size;
    }
    return p;
  }
  static void free_hook(void* p, void* user) {
    auto& self = *static_cast<SecretSpy*>(user);
    auto it = self.blocks.find(p);
    REQUIRE(it != self.blocks.end());
    self.leaked += count_secret(p, it->second);
    self.blocks.erase(it);
    std::free(p);
  }
  static void* map_hook(size_t size, void* user) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    static_cast<SecretSpy*>(user)->maps++;
    return p;
  }
  static void unmap_hook(void* p, size_t size, void* user) {
    auto& self = *static_cast<SecretSpy*>(user);
    self.leaked += count_secret(p, size);
    self.maps--;
    munmap(p, size);
  }
  void attach(fastalloc32_config& c, bool maps_too) {
    c.system.malloc = malloc_hook;
    c.system.free = free_hook;
    if (maps_too) {
      c.system.map = map_hook;
      c.system.unmap = unmap_hook;
    }
    c.system.user = this;
  }
};

fastalloc32_config secure_config() {
  fastalloc32_config c = small_config(4096);
  c.secure_zero = 1;
  c.mmap_threshold = 512 * KiB;
  return c;
}

}  // namespace

TEST_CASE("secure_zero: an arena block shrunk in place gives back wiped pages") {
  fastalloc32_config c = secure_config();
  c.large_cache_bytes = 0;
  Mm mm = make(c);
  void* p = fastalloc32_malloc(mm.get(), 256 * KiB);
  REQUIRE(p != nullptr);
  REQUIRE(stats(mm.get()).large_arena_allocs == 1);
  write_secret(p, 256 * KiB);
  void* q = fastalloc32_realloc(mm.get(), p, 20 * KiB);
  REQUIRE(q == p);
  CHECK(fastalloc32_usable_size(mm.get(), q) == 20 * KiB);
  CHECK(count_secret(q, 20 * KiB) == 20 * KiB / 16);  // what the caller kept is intact
  // The pages given back serve the next request.
  void* r = fastalloc32_malloc(mm.get(), 200 * KiB);
  REQUIRE(r != nullptr);
  CHECK(r == static_cast<char*>(p) + 20 * KiB);
  CHECK(count_secret(r, 200 * KiB) == 0);
  CHECK(all_zero(r, 200 * KiB));
  fastalloc32_free(mm.get(), q);
  fastalloc32_free(mm.get(), r);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("secure_zero: destroy gives no live block back to the system unwiped") {
  for (bool maps_too : {false, true}) {
    CAPTURE(maps_too);
    SecretSpy spy;
    fastalloc32_config c = secure_config();
    c.large_cache_bytes = 0;  // frees go straight back: wiped first
    spy.attach(c, maps_too);
    fastalloc32_mm* mm = fastalloc32_create_with(&c, nullptr);
    REQUIRE(mm != nullptr);
    std::vector<void*> ptrs;
    for (int i = 0; i < 40; ++i) ptrs.push_back(fastalloc32_malloc(mm, 128));   // 32 pool, 8 fallback
    for (size_t size : {size_t(3000), size_t(64 * KiB), size_t(2048 * KiB)}) {  // heap, arena, mapped
      for (int i = 0; i < 3; ++i) ptrs.push_back(fastalloc32_malloc(mm, size));
    }
    for (void* p : ptrs) {
      REQUIRE(p != nullptr);
      write_secret(p, fastalloc32_usable_size(mm, p));
    }
    const fastalloc32_stats s = stats(mm);
    CHECK(s.fallback_allocs == 8);
    CHECK(s.large_arena_allocs == 3);
    // Every other block freed now, the rest left to destroy.
    for (size_t i = 0; i < ptrs.size(); i += 2) fastalloc32_free(mm, ptrs[i]);
    CHECK(spy.leaked == 0);
    fastalloc32_destroy(mm);
    CHECK(spy.leaked == 0);
    CHECK(spy.blocks.empty());
    CHECK(spy.maps == 0);
  }
}

TEST_CASE("secure_zero: a random walk never hands out a byte another block's caller wrote") {
  for (bool maps_too : {false, true}) {
    CAPTURE(maps_too);
    SecretSpy spy;
    fastalloc32_config c = secure_config();
    c.cache_capacity = 16;
    c.large_cache_bytes = 256 * KiB;
    c.mmap_threshold = 256 * KiB;
    spy.attach(c, maps_too);
    {
      Mm holder = make(c);
      fastalloc32_mm* mm = holder.get();
      struct Live {
        void* p;
        size_t usable;
      };
      std::vector<Live> live;
      std::mt19937_64 rng(0x5ec0 + maps_too);
      auto size_of = [&rng]() -> size_t {
        const uint64_t r = rng() % 100;
        if (r < 55) return rng() % 129;                     // pool, 0 included
        if (r < 80) return 129 + rng() % (16 * KiB);        // large heap blocks
        if (r < 96) return 16 * KiB + rng() % (200 * KiB);  // the arena
        return 256 * KiB + rng() % (400 * KiB);             // mapped
      };
      size_t dirty = 0;
      for (int op = 0; op < 8000; ++op) {
        const uint64_t r = rng() % 100;
        if (live.size() < 300 && r < 50) {
          const size_t size = size_of();
          void* p = nullptr;
          if (r < 35) {
            p = fastalloc32_malloc(mm, size);
          } else if (r < 42) {
            p = fastalloc32_aligned_alloc(mm, size_t(1) << (rng() % 14), size);
          } else {
            p = fastalloc32_calloc(mm, 1, size);
          }
          REQUIRE(p != nullptr);
          const size_t usable = fastalloc32_usable_size(mm, p);
          dirty += count_secret(p, usable);
          write_secret(p, usable);
          live.push_back({p, usable});
        } else if (!live.empty() && r < 80) {
          const size_t at = rng() % live.size();
          fastalloc32_free(mm, live[at].p);
          live[at] = live.back();
          live.pop_back();
        } else if (!live.empty()) {
          Live& b = live[rng() % live.size()];
          size_t size = rng() % 3 == 0 ? b.usable / (2 + rng() % 8) : size_of();  // shrinks, often
          if (size == 0) size = 1;
          void* q = fastalloc32_realloc(mm, b.p, size);
          REQUIRE(q != nullptr);
          const size_t usable = fastalloc32_usable_size(mm, q);
          // Bytes the block did not have before are someone else's until
          // written: they must hold nothing of another caller's.
          const size_t kept = q == b.p ? b.usable : (b.usable < size ? b.usable : size);
          if (usable > kept) dirty += count_secret(static_cast<char*>(q) + kept, usable - kept);
          write_secret(q, usable);
          b = {q, usable};
        }
      }
      CHECK(dirty == 0);
      const fastalloc32_stats s = stats(mm);
      CHECK(s.large_arena_allocs > 0);
      CHECK(s.large_cache_hits > 0);
      CHECK(s.fallback_allocs > 0);
      CHECK(s.realloc_large_in_place > 0);
      CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
      CHECK(spy.leaked == 0);
    }
    CHECK(spy.leaked == 0);
  }
}
