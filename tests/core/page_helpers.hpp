// SPDX-License-Identifier: GPL-3.0-or-later
// What the page tests (huge pages, page runs, refused advice, the arena's
// clock) share: the kernel's transparent huge page setting, whether it
// makes pages present on request, and class 64's blocks filled until they
// reach a given offset into the class's stride.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fastalloc32.h"

namespace fa32_test {

// The kernel's transparent huge page setting: "always [madvise] never",
// the bracketed word the mode in force ("" if unreadable).
inline std::string thp_enabled() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  return std::string((std::istreambuf_iterator<char>(enabled)), std::istreambuf_iterator<char>());
}

// The transparent huge page size when a range that asks gets them, else 0.
inline size_t granted_huge_page() {
  const std::string mode = thp_enabled();
  if (mode.empty() || mode.find("[never]") != std::string::npos) return 0;
  std::ifstream size_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  size_t size = 0;
  return size_file >> size ? size : 0;
}

// Whether the kernel makes pages present on request (MADV_POPULATE_WRITE,
// Linux 5.14): a manager's page runs then take a call each; a kernel that
// refuses the first call is asked no more. False if the probe's own
// mapping fails.
inline bool kernel_populates() {
#ifndef MADV_POPULATE_WRITE
  constexpr int MADV_POPULATE_WRITE = 23;
#endif
  void* p = mmap(nullptr, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool ok = madvise(p, 2 * 4096, MADV_POPULATE_WRITE) == 0;
  munmap(p, 2 * 4096);
  return ok;
}

// Whether the kernel gives huge pages to every range, asked or not.
inline bool thp_always() {
  return thp_enabled().find("[always]") != std::string::npos;
}

// Class 64's blocks (the default's classes: 16, 32, 48, 64, ...), each
// written with a pattern of its own, until one ends past `offset` bytes
// from the start of the class's stride (its first page: the first block
// starts a colour into it). No doctest macros: the refused-advice tests
// use it in a child process.
struct Class64 {
  std::vector<void*> blocks;
  uintptr_t start = 0;

  static uint8_t pattern(size_t i) { return static_cast<uint8_t>(i * 131 + 7); }

  // False if a malloc failed.
  bool fill_past(fastalloc32_mm* mm, size_t offset) {
    while (blocks.empty() || reinterpret_cast<uintptr_t>(blocks.back()) + 64 - start <= offset) {
      void* p = fastalloc32_malloc(mm, 64);
      if (p == nullptr) return false;
      std::memset(p, pattern(blocks.size()), 64);
      if (blocks.empty()) start = reinterpret_cast<uintptr_t>(p) & ~uintptr_t(4095);
      blocks.push_back(p);
    }
    return true;
  }
  // Whether every block still holds its pattern.
  bool intact() const {
    for (size_t i = 0; i < blocks.size(); ++i) {
      const auto* b = static_cast<const uint8_t*>(blocks[i]);
      for (size_t j = 0; j < 64; ++j) {
        if (b[j] != pattern(i)) return false;
      }
    }
    return true;
  }
  // Bytes from the stride's start to the page after the last block.
  size_t written_end() const {
    return (reinterpret_cast<uintptr_t>(blocks.back()) + 64 - start + 4095) & ~size_t(4095);
  }
};

}  // namespace fa32_test
