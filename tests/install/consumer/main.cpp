// SPDX-License-Identifier: GPL-3.0-or-later
// A C++ program built against the installed fastalloc32.hpp.
#include <cstdio>
#include <fastalloc32.hpp>
#include <memory_resource>
#include <string>
#include <vector>

int main() {
  fa32::Allocator allocator;
  fa32::MemoryResource resource(allocator);
  {
    std::pmr::vector<std::pmr::string> words(&resource);
    for (int i = 0; i < 100; ++i)
      words.emplace_back("a string long enough to leave SSO #" + std::to_string(i));
    if (words[42] != "a string long enough to leave SSO #42") return 1;
    if (allocator.stats().live_allocs.current < 101) return 1;
  }
  if (allocator.stats().live_allocs.current != 0) return 1;
  std::printf("consumer_cpp: ok\n");
  return 0;
}
