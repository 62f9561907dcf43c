// SPDX-License-Identifier: GPL-3.0-or-later
// fastalloc32_check reads only what the pools hold now, not the whole
// reservation: a manager with a large pool_limit stays small when checked.
#include <doctest/doctest.h>

#include <vector>

#include "support.hpp"

using namespace fa32_test;

TEST_CASE("check touches the pools' blocks and tables, not the whole reservation") {
  SystemSpy spy;
  fastalloc32_config c = original_config();
  const size_t sizes[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
  c.class_count = 16;
  for (size_t i = 0; i < 16; ++i) c.block_sizes[i] = sizes[i];
  c.pool_size = size_t(256) << 10;
  c.pool_limit = size_t(256) << 20;  // live-size tables of about 170 MiB reserved
  spy.attach(c);
  Mm mm = make(c);
  REQUIRE(spy.maps == 1);  // the manager's region; every request below stays in the pools

  std::vector<void*> blocks;
  for (size_t size : sizes) {
    for (int i = 0; i < 10; ++i) blocks.push_back(fastalloc32_malloc(mm.get(), size));
  }
  REQUIRE(spy.maps == 1);
  for (size_t i = 0; i < blocks.size(); i += 2) fastalloc32_free(mm.get(), blocks[i]);

  const size_t before = resident_bytes(spy.first_map, spy.first_map_size);
  REQUIRE(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
  const size_t after = resident_bytes(spy.first_map, spy.first_map_size);
  CAPTURE(before);
  CAPTURE(after);
  // The table entries of the first chunks are under 200 KiB; the whole
  // tables would be 170 MiB.
  CHECK(after - before <= size_t(1) << 20);
  for (size_t i = 1; i < blocks.size(); i += 2) fastalloc32_free(mm.get(), blocks[i]);
  CHECK(fastalloc32_check(mm.get()) == FASTALLOC32_OK);
}
