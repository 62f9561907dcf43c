// SPDX-License-Identifier: GPL-3.0-or-later
// C API misuse the other hostile tests leave out.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

uint64_t bad_pointers(const fastalloc32_stats& s) {
  return s.invalid_frees + s.double_frees + s.interior_frees;
}

}  // namespace

TEST_CASE("calloc's count * size at every overflow boundary") {
  fastalloc32_config c = small_config(4096);
  c.mmap_threshold = 64 * 1024;
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  struct Case {
    size_t count, size;
    bool overflows;
  };
  const size_t half = size_t(1) << 32;
  const Case cases[] = {
      {SIZE_MAX, 2, true},         {2, SIZE_MAX, true},       {half, half, true},
      {half + 1, half - 1, false},  // 2^64 - 1: no overflow, no memory either
      {SIZE_MAX / 3 + 1, 3, true}, {SIZE_MAX / 3, 3, false},  {SIZE_MAX, 1, false},
      {1, SIZE_MAX, false},        {SIZE_MAX - 15, 1, false}, {(SIZE_MAX >> 1) + 1, 2, true},
  };
  uint64_t failed = 0;
  for (const Case& k : cases) {
    CAPTURE(k.count);
    CAPTURE(k.size);
    errors.entries.clear();
    void* p = fastalloc32_calloc(mm.get(), k.count, k.size);
    CHECK(p == nullptr);
    ++failed;
    const fastalloc32_status st = fastalloc32_last_status(mm.get());
    if (k.overflows) {
      CHECK(st == FASTALLOC32_E_OVERFLOW);
    } else {
      CHECK((st == FASTALLOC32_E_OVERFLOW || st == FASTALLOC32_E_NOMEM));
    }
    REQUIRE(errors.entries.size() == 1);
    CHECK(errors.entries[0].status == st);
    CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  }
  // Zero of anything is a zero-size block; the largest non-overflowing
  // product that fits a class is zeroed.
  for (const auto& [count, size] : {std::pair<size_t, size_t>{0, SIZE_MAX}, {SIZE_MAX, 0}, {0, 0}, {8, 16}}) {
    unsigned char* p = static_cast<unsigned char*>(fastalloc32_calloc(mm.get(), count, size));
    REQUIRE(p != nullptr);
    CHECK(all_zero(p, count * size));
    fastalloc32_free(mm.get(), p);
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.failed_allocs == failed);
  CHECK(s.live_allocs.current == 0);
  CHECK(bad_pointers(s) == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("blocks of one manager given to another are invalid there, and stay intact in their own") {
  fastalloc32_config c = small_config(4096);
  c.mmap_threshold = 64 * 1024;
  Mm a = make(c);
  Mm b = make(c);
  std::vector<std::pair<void*, size_t>> blocks;
  for (size_t size : {size_t(0), size_t(24), size_t(128), size_t(1000), size_t(20000), size_t(100000)}) {
    void* p = fastalloc32_malloc(a.get(), size);
    REQUIRE(p != nullptr);
    fill(p, size, size);
    blocks.emplace_back(p, size);
  }
  // A fallback block of a: class 128's pool full.
  std::vector<void*> held;
  for (int i = 0; i < 40; ++i) held.push_back(fastalloc32_malloc(a.get(), 128));
  REQUIRE(fastalloc32_kind_of(a.get(), held.back()) == FASTALLOC32_KIND_FALLBACK);
  fill(held.back(), 128, 128);
  blocks.emplace_back(held.back(), 128);
  held.pop_back();
  const fastalloc32_stats a_before = stats(a.get());
  uint64_t bad = 0;
  for (const auto& block : blocks) {
    void* p = block.first;
    const size_t size = block.second;
    CAPTURE(size);
    CHECK(fastalloc32_realloc(b.get(), p, size + 5000) == nullptr);
    CHECK(fastalloc32_realloc(b.get(), p, 1) == nullptr);
    fastalloc32_free(b.get(), p);
    bad += 3;
    CHECK(fastalloc32_usable_size(b.get(), p) == 0);
    CHECK(fastalloc32_kind_of(b.get(), p) == FASTALLOC32_KIND_NONE);
    // Interior pointers of a's blocks, in b and in a.
    if (size > 1) {
      char* inner = static_cast<char*>(p) + size / 2 + 1;
      fastalloc32_free(b.get(), inner);
      CHECK(fastalloc32_realloc(b.get(), inner, 10) == nullptr);
      bad += 2;
      fastalloc32_free(a.get(), inner);
      CHECK(fastalloc32_realloc(a.get(), inner, 10) == nullptr);
      CHECK(fastalloc32_realloc(a.get(), inner, 1 << 20) == nullptr);
    }
    CHECK(verify(p, size, size));
  }
  const fastalloc32_stats sb = stats(b.get());
  CHECK(bad_pointers(sb) == bad);
  CHECK(sb.live_allocs.current == 0);
  CHECK(sb.reallocs == 0);
  const fastalloc32_stats sa = stats(a.get());
  CHECK(sa.interior_frees == a_before.interior_frees + 3 * (blocks.size() - 1));
  CHECK(sa.live_allocs.current == a_before.live_allocs.current);
  CHECK(sa.bytes_requested.current == a_before.bytes_requested.current);
  CHECK(sa.failed_allocs == 0);
  CHECK(fastalloc32_check(a.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_check(b.get()) == FASTALLOC32_OK);
  for (auto [p, size] : blocks) fastalloc32_free(a.get(), p);
  for (void* p : held) fastalloc32_free(a.get(), p);
  CHECK(stats(a.get()).live_allocs.current == 0);
  CHECK(fastalloc32_check(a.get()) == FASTALLOC32_OK);
}

TEST_CASE("aligned_alloc with hostile alignments and sizes") {
  fastalloc32_config c = small_config(4096);
  Mm mm = make(c);
  for (size_t align : {size_t(0), size_t(3), size_t(24), SIZE_MAX, (SIZE_MAX >> 1) + 2}) {
    CAPTURE(align);
    CHECK(fastalloc32_aligned_alloc(mm.get(), align, 16) == nullptr);
    CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_BAD_ALIGNMENT);
  }
  for (size_t align : {(SIZE_MAX >> 1) + 1, size_t(1) << 62, size_t(1) << 47}) {
    for (size_t size : {size_t(0), size_t(1), SIZE_MAX, SIZE_MAX - align + 1}) {
      CAPTURE(align);
      CAPTURE(size);
      CHECK(fastalloc32_aligned_alloc(mm.get(), align, size) == nullptr);
      const fastalloc32_status st = fastalloc32_last_status(mm.get());
      CHECK((st == FASTALLOC32_E_OVERFLOW || st == FASTALLOC32_E_NOMEM));
      CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
    }
  }
  for (size_t align : {size_t(1), size_t(2), size_t(8), size_t(1) << 21}) {
    for (size_t size : {size_t(0), size_t(1), size_t(100), size_t(5000)}) {
      void* p = fastalloc32_aligned_alloc(mm.get(), align, size);
      REQUIRE(p != nullptr);
      CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
      std::memset(p, 0xab, size);
      void* q = fastalloc32_realloc(mm.get(), p, size + 1);
      REQUIRE(q != nullptr);
      fastalloc32_free(mm.get(), q);
      fastalloc32_free(mm.get(), q);  // double
    }
  }
  const fastalloc32_stats s = stats(mm.get());
  CHECK(s.live_allocs.current == 0);
  CHECK(s.double_frees + s.invalid_frees == 16);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("every entry point takes a NULL manager or NULL out-pointer") {
  int x = 0;
  fastalloc32_free(nullptr, &x);
  fastalloc32_free(nullptr, nullptr);
  CHECK(fastalloc32_malloc(nullptr, 16) == nullptr);
  CHECK(fastalloc32_calloc(nullptr, 1, 16) == nullptr);
  CHECK(fastalloc32_realloc(nullptr, &x, 16) == nullptr);
  CHECK(fastalloc32_realloc(nullptr, nullptr, 16) == nullptr);
  CHECK(fastalloc32_aligned_alloc(nullptr, 64, 16) == nullptr);
  const size_t three = fastalloc32_class_count(nullptr) + 3;  // not a constant: no warning
  CHECK(fastalloc32_aligned_alloc(nullptr, three, 16) == nullptr);
  CHECK(fastalloc32_usable_size(nullptr, &x) == 0);
  CHECK(fastalloc32_kind_of(nullptr, &x) == FASTALLOC32_KIND_NONE);
  CHECK(fastalloc32_last_status(nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_check(nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_class_count(nullptr) == 0);
  fastalloc32_stats s{};
  s.size = sizeof s;
  CHECK(fastalloc32_get_stats(nullptr, &s) == FASTALLOC32_E_BAD_CONFIG);
  fastalloc32_class_stats k{};
  CHECK(fastalloc32_get_class_stats(nullptr, 0, &k) == FASTALLOC32_E_BAD_CONFIG);
  fastalloc32_for_each_live(
      nullptr, [](void*, size_t, size_t, fastalloc32_kind, void*) { return 0; }, nullptr);
  fastalloc32_config c;
  CHECK(fastalloc32_get_config(nullptr, &c) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_lua_alloc(nullptr, &x, 4, 0) == nullptr);
  CHECK(fastalloc32_lua_alloc(nullptr, &x, 4, 8) == nullptr);
  fastalloc32_destroy(nullptr);
  fastalloc32_status st = FASTALLOC32_OK;
  CHECK(fastalloc32_create_with(nullptr, &st) == nullptr);
  CHECK(st == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_create_with(nullptr, nullptr) == nullptr);
  CHECK(fastalloc32_config_problem(nullptr) != nullptr);
  CHECK(fastalloc32_config_preset(nullptr, "default") == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_config_preset(&c, nullptr) == FASTALLOC32_E_BAD_CONFIG);
  fastalloc32_config_init(nullptr);
  CHECK(fastalloc32_preset_name(1000000) == nullptr);

  Mm mm = make(small_config(4096));
  s.size = sizeof s - 8;
  CHECK(fastalloc32_get_stats(mm.get(), &s) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_stats(mm.get(), nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_class_stats(mm.get(), 0, nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_class_stats(mm.get(), UINT32_MAX, &k) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_config(mm.get(), nullptr) == FASTALLOC32_E_BAD_CONFIG);
  fastalloc32_for_each_live(mm.get(), nullptr, nullptr);
  CHECK(fastalloc32_usable_size(mm.get(), nullptr) == 0);
  CHECK(fastalloc32_kind_of(mm.get(), nullptr) == FASTALLOC32_KIND_NONE);
  fastalloc32_free(mm.get(), nullptr);
  CHECK(stats(mm.get()).invalid_frees == 0);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}

TEST_CASE("last_status and the callback are the calls that report, not those returning a status") {
  fastalloc32_config c = small_config(4096);
  ErrorLog errors;
  errors.attach(c);
  Mm mm = make(c);
  int x = 0;
  fastalloc32_free(mm.get(), &x);
  REQUIRE(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  REQUIRE(errors.entries.size() == 1);
  // Calls that return their status leave last_status as it was and call
  // nothing, even when they fail.
  fastalloc32_stats s{};
  s.size = 8;
  CHECK(fastalloc32_get_stats(mm.get(), &s) == FASTALLOC32_E_BAD_CONFIG);
  fastalloc32_class_stats k{};
  CHECK(fastalloc32_get_class_stats(mm.get(), 99, &k) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_get_config(mm.get(), nullptr) == FASTALLOC32_E_BAD_CONFIG);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  // A call that succeeds does not clear it either.
  void* p = fastalloc32_malloc(mm.get(), 16);
  REQUIRE(p != nullptr);
  fastalloc32_free(mm.get(), p);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_INVALID_FREE);
  CHECK(errors.entries.size() == 1);
  // The next failed call that reports replaces it.
  volatile size_t three = 3;  // not a constant: clang rejects a constant one (alloc_align)
  CHECK(fastalloc32_aligned_alloc(mm.get(), three, 16) == nullptr);
  CHECK(fastalloc32_last_status(mm.get()) == FASTALLOC32_E_BAD_ALIGNMENT);
  CHECK(errors.entries.size() == 2);
}

TEST_CASE("extreme valid configs under a failing system: every call may fail, nothing leaks") {
  // The widest config create_with accepts in each direction, with the k-th
  // system call refused for every k a short session makes.
  for (int variant = 0; variant < 2; ++variant) {
    CAPTURE(variant);
    for (uint64_t k = 1;; ++k) {
      CAPTURE(k);
      SystemSpy spy;
      fastalloc32_config c;
      fastalloc32_config_init(&c);
      if (variant == 0) {
        // The largest alignment: one class (64 KiB would pass 65520).
        c.alignment = 32 * 1024;
        c.class_count = 1;
        c.block_sizes[0] = 32 * 1024;
        c.pool_size = 32 * 1024;
        c.pool_limit = 0;
        c.cache_capacity = 0;
        c.large_cache_bytes = 0;
        c.mmap_threshold = SIZE_MAX;
        c.large_arena_size = 0;
      } else {
        c.class_count = 1;
        c.block_sizes[0] = 65520;
        c.pool_size = 65520;
        c.pool_limit = 65520;
        c.cache_capacity = 1u << 24;
        c.large_cache_bytes = SIZE_MAX;
        c.mmap_threshold = 1;
        c.secure_zero = 1;
        c.track_peaks = 1;
        c.trim_pools = 1;
      }
      REQUIRE(fastalloc32_config_problem(&c) == nullptr);
      spy.attach(c);
      spy.fail_at = k;
      fastalloc32_status st = FASTALLOC32_OK;
      fastalloc32_mm* mm = fastalloc32_create_with(&c, &st);
      if (mm != nullptr) {
        std::vector<void*> live;
        for (size_t size :
             {size_t(1), size_t(40000), size_t(65520), size_t(65521), size_t(200000), size_t(0)}) {
          for (int i = 0; i < 3; ++i) {
            void* p = fastalloc32_malloc(mm, size);
            if (p != nullptr) {
              std::memset(p, 1, size);
              live.push_back(p);
            }
          }
        }
        for (size_t i = 0; i < live.size(); i += 2) {
          void* q = fastalloc32_realloc(mm, live[i], i * 30000 + 1);
          if (q != nullptr) live[i] = q;
        }
        if (!live.empty()) {
          void* q = fastalloc32_lua_alloc(mm, live[0], fastalloc32_usable_size(mm, live[0]), 1);
          CHECK(q != nullptr);
          live[0] = q;
        }
        CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
        const fastalloc32_stats s = stats(mm);
        CHECK(bad_pointers(s) == 0);
        for (void* p : live) fastalloc32_free(mm, p);
        CHECK(stats(mm).live_allocs.current == 0);
        CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
        fastalloc32_destroy(mm);
      } else {
        CHECK(st == FASTALLOC32_E_NOMEM);
      }
      CHECK(spy.balanced());
      if (spy.calls < k) break;  // the session made fewer calls: all tried
    }
  }
}
