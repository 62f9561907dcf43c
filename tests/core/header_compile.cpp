// SPDX-License-Identifier: GPL-3.0-or-later
//
// fastalloc32.hpp alone in a translation unit, compiled (not run) as C++17
// and C++20 under -Wall -Wextra -Wpedantic -Werror.
#include "fastalloc32.hpp"

std::size_t fa32_header_compile_check();

std::size_t fa32_header_compile_check() {
  fa32::Allocator a = fa32::Allocator::create(fa32::default_config());
  fa32::MemoryResource r(a);
  std::size_t n = 0;
  a.for_each_live([&n](const fa32::LiveBlock& b) { n += b.requested; });
  return n + a.class_count() + (r.manager() != nullptr ? 1 : 0);
}
