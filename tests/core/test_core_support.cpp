// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace fa32_test {

fastalloc32_config original_config() {
  fastalloc32_config c;
  if (fastalloc32_config_preset(&c, "original") != FASTALLOC32_OK) std::abort();
  return c;
}

fastalloc32_config small_config(size_t pool_size) {
  fastalloc32_config c = original_config();
  c.class_count = 4;
  c.block_sizes[0] = 16;
  c.block_sizes[1] = 32;
  c.block_sizes[2] = 64;
  c.block_sizes[3] = 128;
  c.pool_size = pool_size;
  return c;
}

Mm make(const fastalloc32_config& c) {
  fastalloc32_status status = FASTALLOC32_E_CORRUPT;
  Mm mm(fastalloc32_create_with(&c, &status));
  if (mm == nullptr) std::abort();
  if (status != FASTALLOC32_OK) std::abort();
  return mm;
}

fastalloc32_stats stats(const fastalloc32_mm* mm) {
  fastalloc32_stats s{};
  s.size = sizeof(s);
  if (fastalloc32_get_stats(mm, &s) != FASTALLOC32_OK) std::abort();
  return s;
}

fastalloc32_class_stats class_stats(const fastalloc32_mm* mm, uint32_t index) {
  fastalloc32_class_stats s{};
  if (fastalloc32_get_class_stats(mm, index, &s) != FASTALLOC32_OK) std::abort();
  return s;
}

size_t live_count(const fastalloc32_mm* mm) {
  size_t n = 0;
  fastalloc32_for_each_live(
      mm,
      [](void*, size_t, size_t, fastalloc32_kind, void* user) {
        ++*static_cast<size_t*>(user);
        return 0;
      },
      &n);
  return n;
}

void ErrorLog::hook(fastalloc32_status status, const void* ptr, void* user) {
  static_cast<ErrorLog*>(user)->entries.push_back({status, ptr});
}

namespace {

bool should_fail(SystemSpy& s) {
  return ++s.calls == s.fail_at;
}

void* spy_malloc(size_t size, void* user) {
  auto& s = *static_cast<SystemSpy*>(user);
  if (should_fail(s)) return nullptr;
  void* p = std::malloc(size);
  if (p != nullptr) ++s.mallocs;
  return p;
}
void spy_free(void* p, void* user) {
  auto& s = *static_cast<SystemSpy*>(user);
  ++s.frees;
  std::free(p);
}
void* spy_map(size_t size, void* user) {
  auto& s = *static_cast<SystemSpy*>(user);
  if (should_fail(s)) return nullptr;
  if (s.max_map != 0 && size > s.max_map) {
    ++s.refused_maps;
    return nullptr;
  }
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (s.maps++ == 0) {
    s.first_map = p;
    s.first_map_size = size;
  }
  s.mapped_bytes += size;
  return p;
}
void spy_unmap(void* p, size_t size, void* user) {
  auto& s = *static_cast<SystemSpy*>(user);
  ++s.unmaps;
  s.mapped_bytes -= size;
  munmap(p, size);
}

}  // namespace

void SystemSpy::attach(fastalloc32_config& c) {
  c.system.malloc = spy_malloc;
  c.system.free = spy_free;
  c.system.map = spy_map;
  c.system.unmap = spy_unmap;
  c.system.user = this;
}

void SystemSpy::attach_malloc(fastalloc32_config& c) {
  c.system.malloc = spy_malloc;
  c.system.free = spy_free;
  c.system.user = this;
}

namespace {
// Word i of the pattern of allocation id: distinct per id and position.
uint64_t pattern_word(uint64_t id, size_t i) {
  uint64_t x = (id + 1) * 0x9E3779B97F4A7C15ull + i * 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 29);
}
}  // namespace

void fill(void* p, size_t n, uint64_t id) {
  auto* b = static_cast<unsigned char*>(p);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t w = pattern_word(id, i / 8);
    std::memcpy(b + i, &w, 8);
  }
  const uint64_t w = pattern_word(id, i / 8);
  std::memcpy(b + i, &w, n - i);
}

bool verify(const void* p, size_t n, uint64_t id) {
  const auto* b = static_cast<const unsigned char*>(p);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t w = pattern_word(id, i / 8);
    if (std::memcmp(b + i, &w, 8) != 0) return false;
  }
  const uint64_t w = pattern_word(id, i / 8);
  return std::memcmp(b + i, &w, n - i) == 0;
}

bool all_zero(const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

LockedPages::LockedPages(const void* from, const void* to) {
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t start = reinterpret_cast<uintptr_t>(from) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(to) + page - 1) / page * page;
  REQUIRE(start < end);
  // The soft limit on locked memory may be below what is asked (not for
  // root): up to the hard limit, which the test process may raise it to.
  rlimit lim{};
  if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < end - start) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_MEMLOCK, &lim);
  }
  // The system call itself: the sanitizers' runtime replaces mlock and
  // munlock with functions that lock nothing (they would lock its shadow).
  const long rc = syscall(SYS_mlock, start, end - start);
  INFO("mlock of " << (end - start) / 1024 << " KiB: " << std::strerror(errno));
  REQUIRE(rc == 0);
  start_ = reinterpret_cast<void*>(start);
  bytes_ = end - start;
}

void LockedPages::unlock() {
  if (bytes_ != 0) syscall(SYS_munlock, start_, bytes_);
  bytes_ = 0;
}

std::string vm_flags(const void* p) {
  std::ifstream in("/proc/self/smaps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &lo, &hi) == 2 && line.find(':') > line.find(' ')) {
      inside = addr >= lo && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return "";
}
bool has_flag(const std::string& flags, const char* flag) {
  return flags.find(std::string(" ") + flag + " ") != std::string::npos;
}

size_t resident_bytes(const void* base, size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((size + page - 1) / page);
  if (mincore(const_cast<void*>(base), size, vec.data()) != 0) std::abort();
  size_t pages = 0;
  for (unsigned char v : vec) pages += v & 1;
  return pages * page;
}

}  // namespace fa32_test
