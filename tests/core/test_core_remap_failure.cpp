// SPDX-License-Identifier: GPL-3.0-or-later
// A whole-mapping block resized while mremap fails. The manager calls
// mremap itself (the system hooks cover map and unmap only), so this test
// binary defines mremap, which the static library's call resolves to: it
// fails on demand and otherwise forwards to the C library's. A binary of
// its own, so that no other test runs with it.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "fastalloc32.h"

namespace {
bool fail_remap = false;
int remap_calls = 0;
}  // namespace

extern "C" void* mremap(void* old_address, size_t old_size, size_t new_size, int flags, ...) {
  ++remap_calls;
  if (fail_remap) {
    errno = ENOMEM;
    return MAP_FAILED;
  }
  void* new_address = nullptr;
  if (flags & MREMAP_FIXED) {
    va_list ap;
    va_start(ap, flags);
    new_address = va_arg(ap, void*);
    va_end(ap);
  }
  using Remap = void* (*)(void*, size_t, size_t, int, ...);
  static const auto real = reinterpret_cast<Remap>(dlsym(RTLD_NEXT, "mremap"));
  if (real == nullptr) {
    errno = ENOSYS;
    return MAP_FAILED;
  }
  return real(old_address, old_size, new_size, flags, new_address);
}

namespace {

constexpr size_t kMiB = size_t(1) << 20;

void fill(unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(i * 7 + 3);
}
bool intact(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != static_cast<unsigned char>(i * 7 + 3)) return false;
  return true;
}
fastalloc32_stats stats_of(fastalloc32_mm* mm) {
  fastalloc32_stats s{};
  s.size = sizeof s;
  REQUIRE(fastalloc32_get_stats(mm, &s) == FASTALLOC32_OK);
  return s;
}

}  // namespace

TEST_CASE("a whole mapping whose mremap fails: a shrink keeps the block, growth fails cleanly") {
  fastalloc32_mm* mm = fastalloc32_create();
  REQUIRE(mm != nullptr);
  auto* p = static_cast<unsigned char*>(fastalloc32_malloc(mm, 8 * kMiB));
  REQUIRE(p != nullptr);
  REQUIRE(fastalloc32_kind_of(mm, p) == FASTALLOC32_KIND_LARGE);
  fill(p, 8 * kMiB);

  // The remap path is the one taken: with mremap working, a shrink to below
  // half calls it.
  const int calls = remap_calls;
  auto* q = static_cast<unsigned char*>(fastalloc32_realloc(mm, p, 6 * kMiB));
  REQUIRE(q == p);  // above half: kept without mremap
  CHECK(remap_calls == calls);

  fail_remap = true;
  const fastalloc32_stats before = stats_of(mm);
  q = static_cast<unsigned char*>(fastalloc32_realloc(mm, p, 2 * kMiB));
  CHECK(remap_calls == calls + 1);  // the refusal was met
  CHECK(q == p);
  CHECK(intact(p, 2 * kMiB));
  fastalloc32_stats after = stats_of(mm);
  CHECK(after.failed_allocs == before.failed_allocs);
  CHECK(fastalloc32_last_status(mm) == FASTALLOC32_OK);
  CHECK(after.reallocs == before.reallocs + 1);
  CHECK(after.realloc_large_in_place == before.realloc_large_in_place + 1);
  CHECK(after.bytes_requested.current == before.bytes_requested.current - 4 * kMiB);
  CHECK(after.bytes_reserved.current == before.bytes_reserved.current);  // the pages stay
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);

  // Growth needs the kernel: it fails, and the block is left as it was.
  q = static_cast<unsigned char*>(fastalloc32_realloc(mm, p, 32 * kMiB));
  CHECK(q == nullptr);
  CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_NOMEM);
  after = stats_of(mm);
  CHECK(after.failed_allocs == before.failed_allocs + 1);
  CHECK(intact(p, 2 * kMiB));
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  fail_remap = false;

  fastalloc32_free(mm, p);
  CHECK(stats_of(mm).live_allocs.current == 0);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  fastalloc32_destroy(mm);
}
