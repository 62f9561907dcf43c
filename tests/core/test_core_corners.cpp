// SPDX-License-Identifier: GPL-3.0-or-later
// The corners of the contract: no two live blocks share an address, and
// every pointer lies inside its own raw block (so usable_size is at least
// 1), for every size including 0, every alignment and every path: pool,
// fallback, large cache, large heap blocks, the arena and mmap.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

constexpr size_t KiB = 1024;

// A conforming system malloc that packs blocks back to back, 16-byte
// aligned, with no header between them: one byte past a block is the next
// block's first byte. It remembers every block, so a test can tell which
// raw block a pointer lies in.
struct Packer {
  static constexpr size_t kBytes = size_t(4) << 20;
  unsigned char* base = static_cast<unsigned char*>(std::aligned_alloc(4096, kBytes));
  size_t used = 0;
  std::map<const unsigned char*, size_t> live;  // raw block -> its size
  uint64_t bad_frees = 0;

  Packer() = default;
  Packer(const Packer&) = delete;
  Packer& operator=(const Packer&) = delete;
  ~Packer() { std::free(base); }

  static void* malloc_hook(size_t size, void* user) {
    auto& self = *static_cast<Packer*>(user);
    const size_t rounded = (size + 15) & ~size_t(15);
    if (size == 0 || rounded > kBytes - self.used) return nullptr;
    unsigned char* p = self.base + self.used;
    self.used += rounded;
    self.live[p] = size;
    return p;
  }
  static void free_hook(void* p, void* user) {
    auto& self = *static_cast<Packer*>(user);
    if (self.live.erase(static_cast<unsigned char*>(p)) != 1) self.bad_frees++;
  }
  void attach(fastalloc32_config& c) {
    c.system.malloc = malloc_hook;
    c.system.free = free_hook;
    c.system.user = this;
  }
  // Whether p lies inside a live raw block of this packer.
  bool inside_a_block(const void* p) const {
    const auto* b = static_cast<const unsigned char*>(p);
    auto it = live.upper_bound(b);
    if (it == live.begin()) return false;
    --it;
    return b < it->first + it->second;
  }
};

// Checks what every live block must satisfy, then frees them all.
void expect_distinct_and_inside(fastalloc32_mm* mm, const std::vector<void*>& ptrs, const Packer* packer) {
  std::set<void*> seen;
  for (void* p : ptrs) {
    CAPTURE(p);
    REQUIRE(p != nullptr);
    REQUIRE(seen.insert(p).second);  // no two live blocks share an address
    CHECK(fastalloc32_usable_size(mm, p) >= 1);
    if (packer != nullptr && fastalloc32_kind_of(mm, p) != FASTALLOC32_KIND_POOL) {
      CHECK(packer->inside_a_block(p));
    }
  }
  REQUIRE(fastalloc32_check(mm) == FASTALLOC32_OK);
}

}  // namespace

TEST_CASE("zero-size aligned blocks on the mmap path never share an address with a live block") {
  for (size_t align : {8 * KiB, 16 * KiB, 32 * KiB}) {
    for (size_t threshold : {size_t(0), align - 16}) {
      for (size_t cache : {size_t(0), size_t(8) << 20}) {
        CAPTURE(align);
        CAPTURE(threshold);
        CAPTURE(cache);
        fastalloc32_config c = small_config();
        c.mmap_threshold = threshold;
        c.large_cache_bytes = cache;
        Mm mm = make(c);
        std::vector<void*> sized, empty, all;
        for (uint64_t i = 0; i < 64; ++i) {
          void* a = fastalloc32_aligned_alloc(mm.get(), align, 512);
          void* z = fastalloc32_aligned_alloc(mm.get(), align, 0);
          REQUIRE((a && z));
          CHECK(reinterpret_cast<uintptr_t>(a) % align == 0);
          CHECK(reinterpret_cast<uintptr_t>(z) % align == 0);
          fill(a, 512, i);
          sized.push_back(a);
          empty.push_back(z);
          all.push_back(a);
          all.push_back(z);
        }
        expect_distinct_and_inside(mm.get(), all, nullptr);
        // Freeing the empty blocks leaves every sized one live and intact;
        // empty ones again (now from the large cache, when it is on) still
        // get addresses of their own.
        for (void* z : empty) fastalloc32_free(mm.get(), z);
        all = sized;
        empty.clear();
        for (int i = 0; i < 64; ++i) {
          void* z = fastalloc32_aligned_alloc(mm.get(), align, 0);
          REQUIRE(z != nullptr);
          empty.push_back(z);
          all.push_back(z);
        }
        expect_distinct_and_inside(mm.get(), all, nullptr);
        for (void* z : empty) fastalloc32_free(mm.get(), z);
        for (uint64_t i = 0; i < sized.size(); ++i) {
          CHECK(fastalloc32_kind_of(mm.get(), sized[i]) == FASTALLOC32_KIND_LARGE);
          CHECK(verify(sized[i], 512, i));
        }
        for (void* a : sized) fastalloc32_free(mm.get(), a);
        const fastalloc32_stats s = stats(mm.get());
        CHECK(s.live_allocs.current == 0);
        CHECK(s.invalid_frees + s.double_frees + s.interior_frees == 0);
        CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
      }
    }
  }
}

TEST_CASE("malloc(0) on the fallback path with a malloc that packs blocks: every pointer is its own") {
  for (size_t align : {size_t(32), size_t(64), size_t(128), size_t(256), size_t(512), size_t(1024)}) {
    CAPTURE(align);
    Packer packer;
    fastalloc32_config c = original_config();
    c.alignment = align;
    c.block_sizes[0] = align;
    c.pool_size = 4096;
    packer.attach(c);
    {
      Mm mm = make(c);
      std::vector<void*> ptrs;
      while (ptrs.empty() || fastalloc32_kind_of(mm.get(), ptrs.back()) == FASTALLOC32_KIND_POOL) {
        ptrs.push_back(fastalloc32_malloc(mm.get(), 0));
        REQUIRE(ptrs.back() != nullptr);
      }
      for (int i = 0; i < 200; ++i) {
        void* p = fastalloc32_malloc(mm.get(), 0);
        REQUIRE(p != nullptr);
        CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_FALLBACK);
        CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
        ptrs.push_back(p);
      }
      expect_distinct_and_inside(mm.get(), ptrs, &packer);
      CHECK(stats(mm.get()).fallback_allocs == 201);
      for (void* p : ptrs) fastalloc32_free(mm.get(), p);
      CHECK(stats(mm.get()).live_allocs.current == 0);
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
    CHECK(packer.live.empty());
    CHECK(packer.bad_frees == 0);
  }
}

TEST_CASE(
    "zero-size requests aligned above the config alignment, from the fallback and the large heap path") {
  Packer packer;
  fastalloc32_config c = small_config(4096);  // classes 16, 32, 64, 128
  c.large_cache_bytes = 0;
  packer.attach(c);
  {
    Mm mm = make(c);
    std::vector<void*> ptrs;
    // The 64-byte class holds 64 blocks; the rest fall back, aligned to 64.
    for (int i = 0; i < 64 + 100; ++i) ptrs.push_back(fastalloc32_aligned_alloc(mm.get(), 64, 0));
    CHECK(stats(mm.get()).fallback_allocs == 100);
    // No class is a multiple of 256: large heap blocks.
    for (int i = 0; i < 100; ++i) ptrs.push_back(fastalloc32_aligned_alloc(mm.get(), 256, 0));
    for (void* p : ptrs) {
      REQUIRE(p != nullptr);
      CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    }
    expect_distinct_and_inside(mm.get(), ptrs, &packer);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(packer.live.empty());

  // Classes of 16 and 48 bytes: aligned_alloc(64, 0) takes the large path
  // with a raw request of 48 bytes, the smallest a 64-aligned pointer fits.
  Packer packer2;
  fastalloc32_config c2 = original_config();
  c2.class_count = 2;
  c2.block_sizes[0] = 16;
  c2.block_sizes[1] = 48;
  c2.large_cache_bytes = 0;
  packer2.attach(c2);
  {
    Mm mm = make(c2);
    std::vector<void*> ptrs;
    for (int i = 0; i < 200; ++i) {
      void* p = fastalloc32_aligned_alloc(mm.get(), 64, 0);
      REQUIRE(p != nullptr);
      CHECK(fastalloc32_kind_of(mm.get(), p) == FASTALLOC32_KIND_LARGE);
      ptrs.push_back(p);
    }
    expect_distinct_and_inside(mm.get(), ptrs, &packer2);
    for (void* p : ptrs) fastalloc32_free(mm.get(), p);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  CHECK(packer2.live.empty());
}
