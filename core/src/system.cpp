// SPDX-License-Identifier: GPL-3.0-or-later
// The only place that talks to the system: the config's hooks, or libc
// malloc/free and mmap/munmap/mremap/mprotect/madvise when a hook is NULL.
// Every call is counted in the sys_* counters (madvise in the counter of
// what it does). It also reads the kernel's huge page settings at create.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "manager.hpp"

namespace fa32::core {

void* raw_map(const fastalloc32_system& s, size_t size) noexcept {
  if (s.map != nullptr) return s.map(size, s.user);
  // MAP_NORESERVE: a reservation (the pools, the pointer table, the large
  // cache's records) is address space, not memory. Memory handed to a
  // caller is mapped by sys_map_block.
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void raw_unmap(const fastalloc32_system& s, void* p, size_t size) noexcept {
  if (s.unmap != nullptr) {
    s.unmap(p, size, s.user);
  } else {
    munmap(p, size);
  }
}

void* sys_malloc(Manager& m, size_t size) noexcept {
  m.counters.sys_mallocs++;
  const fastalloc32_system& s = m.config.system;
  return s.malloc != nullptr ? s.malloc(size, s.user) : std::malloc(size);
}

void sys_free(Manager& m, void* p) noexcept {
  m.counters.sys_frees++;
  const fastalloc32_system& s = m.config.system;
  if (s.free != nullptr) {
    s.free(p, s.user);
  } else {
    std::free(p);
  }
}

void* sys_map(Manager& m, size_t size) noexcept {
  m.counters.sys_maps++;
  return raw_map(m.config.system, size);
}

void* sys_map_block(Manager& m, size_t size) noexcept {
  m.counters.sys_maps++;
  const fastalloc32_system& s = m.config.system;
  if (s.map != nullptr) return s.map(size, s.user);
  // Memory for a caller, not address space: without MAP_NORESERVE the
  // kernel charges it to its commit accounting, as it charges glibc's own
  // mappings, so a request the system cannot back fails here (and a later
  // mremap growth is charged too) under whatever overcommit policy is set.
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void* sys_reserve(Manager& m, size_t size) noexcept {
  m.counters.sys_maps++;
  // PROT_NONE: address space the kernel charges nothing for. Not
  // MAP_NORESERVE: that would exempt the pages sys_commit makes writable
  // from the commit charge as well.
  void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

bool sys_commit(Manager& m, void* p, size_t size) noexcept {
  m.counters.sys_commits++;
  return mprotect(p, size, PROT_READ | PROT_WRITE) == 0;
}

namespace {

// madvise's error (0: done), with errno left as the program had it: a
// refused advice changes nothing the program sees (the malloc or free that
// gave it succeeds), so it must not leave an error code behind either.
int advise(void* p, size_t size, int advice) noexcept {
  const int saved = errno;
  const int error = madvise(p, size, advice) == 0 ? 0 : errno;
  errno = saved;
  return error;
}

}  // namespace

bool sys_decommit(Manager& m, void* p, size_t size) noexcept {
  m.counters.sys_decommits++;
  return advise(p, size, MADV_DONTNEED) == 0;
}

bool sys_trim_pool(Manager& m, void* p, size_t size) noexcept {
  m.counters.pool_trims++;
  return advise(p, size, MADV_DONTNEED) == 0;
}

void sys_advise_huge(Manager& m, void* p, size_t size) noexcept {
  m.counters.pool_huge_advices++;
  (void)advise(p, size, MADV_HUGEPAGE);
}

// Linux 5.14; the C library's headers may predate it.
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void sys_populate_run(Manager& m, uint64_t* calls, void* p, size_t size) noexcept {
  ++*calls;
  // EINVAL: a kernel that does not know the advice; every later run would
  // fail the same way, a wasted call each.
  if (advise(p, size, MADV_POPULATE_WRITE) == EINVAL) m.populate_runs = false;
}

namespace {

// Up to n - 1 bytes of a sysfs file, NUL-terminated; false if unreadable.
bool read_small_file(const char* path, char* buf, size_t n) noexcept {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t got = read(fd, buf, n - 1);
  close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  return true;
}

}  // namespace

size_t transparent_huge_page_size() noexcept {
  char buf[64];
  // "always [madvise] never": the bracketed word is the mode in force.
  if (!read_small_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf) ||
      std::strstr(buf, "[never]") != nullptr) {
    return 0;
  }
  if (!read_small_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", buf, sizeof buf)) return 0;
  char* end = nullptr;
  const unsigned long long size = std::strtoull(buf, &end, 10);
  // A power of two, larger than a page and small enough for a class's stride.
  if (end == buf || size < 2 * 4096 || size > (size_t(1) << 30) || (size & (size - 1)) != 0) return 0;
  return static_cast<size_t>(size);
}

void sys_unmap(Manager& m, void* p, size_t size) noexcept {
  m.counters.sys_unmaps++;
  raw_unmap(m.config.system, p, size);
}

void* sys_remap(Manager& m, void* p, size_t old_size, size_t new_size) noexcept {
  m.counters.sys_remaps++;
  void* q = mremap(p, old_size, new_size, MREMAP_MAYMOVE);
  return q == MAP_FAILED ? nullptr : q;
}

}  // namespace fa32::core
