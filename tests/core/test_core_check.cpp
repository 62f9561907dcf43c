// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_check reads only what the pools hold now, not the whole
// reservation: a manager with a large pool_limit stays small when checked.
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

namespace {

// Maps like the library does and remembers the manager's region (its only
// mapping here: every request below stays in the pools).
struct RegionSpy {
  void* base = nullptr;
  size_t size = 0;

  static void* map(size_t size, void* user) {
    auto& s = *static_cast<RegionSpy*>(user);
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    if (s.base == nullptr) {
      s.base = p;
      s.size = size;
    }
    return p;
  }
  static void unmap(void* p, size_t size, void*) { munmap(p, size); }

  // Bytes of the region with a page mapped (read or written).
  size_t resident_bytes() const {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> vec((size + page - 1) / page);
    REQUIRE(mincore(base, size, vec.data()) == 0);
    size_t pages = 0;
    for (unsigned char v : vec) pages += v & 1;
    return pages * page;
  }
};

}  // namespace

TEST_CASE("check touches the pools' blocks and tables, not the whole reservation") {
  RegionSpy spy;
  fastalloc32_config c = default_config();
  const size_t sizes[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
  c.class_count = 16;
  for (size_t i = 0; i < 16; ++i) c.block_sizes[i] = sizes[i];
  c.pool_size = size_t(256) << 10;
  c.pool_limit = size_t(256) << 20;  // live-size tables of about 170 MiB reserved
  c.system.map = &RegionSpy::map;
  c.system.unmap = &RegionSpy::unmap;
  c.system.user = &spy;
  Mm mm = make(c);
  REQUIRE(spy.base != nullptr);

  std::vector<void*> blocks;
  for (size_t size : sizes) {
    for (int i = 0; i < 10; ++i) blocks.push_back(fastalloc32_malloc(mm.get(), size));
  }
  for (size_t i = 0; i < blocks.size(); i += 2) fastalloc32_free(mm.get(), blocks[i]);

  const size_t before = spy.resident_bytes();
  REQUIRE(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  const size_t after = spy.resident_bytes();
  CAPTURE(before);
  CAPTURE(after);
  // The tables of the 16 first chunks are about 190 KiB; the whole tables
  // would be 170 MiB.
  CHECK(after - before <= size_t(1) << 20);
  for (size_t i = 1; i < blocks.size(); i += 2) fastalloc32_free(mm.get(), blocks[i]);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
