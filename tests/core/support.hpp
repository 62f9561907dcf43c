// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the core tests: configs, a manager owner, stats access,
// and counting/failing system hooks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "fastalloc32.h"

// A REQUIRE for hot loops: costs nothing while the condition holds.
#define FAST_REQUIRE(cond)    \
  do {                        \
    if (!(cond)) FAIL(#cond); \
  } while (0)

namespace fa32_test {

struct MmDeleter {
  void operator()(fastalloc32_mm* mm) const noexcept { fastalloc32_destroy(mm); }
};
using Mm = std::unique_ptr<fastalloc32_mm, MmDeleter>;

fastalloc32_config original_config();
// Classes 16/32/64/128, small pools so they fill in tests.
fastalloc32_config small_config(size_t pool_size = 4096);
Mm make(const fastalloc32_config& c);
fastalloc32_stats stats(const fastalloc32_mm* mm);
fastalloc32_class_stats class_stats(const fastalloc32_mm* mm, uint32_t index);
size_t live_count(const fastalloc32_mm* mm);
// The footprint without the manager's own metadata pages: the pool pages,
// large blocks and fallback slabs.
inline uint64_t held_blocks(const fastalloc32_stats& s) {
  return s.footprint.current - s.metadata.current;
}

// Records every error callback.
struct ErrorLog {
  struct Entry {
    fastalloc32_status status;
    const void* ptr;
  };
  std::vector<Entry> entries;
  static void hook(fastalloc32_status status, const void* ptr, void* user);
  void attach(fastalloc32_config& c) {
    c.on_error = &ErrorLog::hook;
    c.error_user = this;
  }
};

// System hooks that count every call and can fail the k-th one (k counts
// mallocs and maps together, from 1; 0 never fails).
struct SystemSpy {
  uint64_t calls = 0;
  uint64_t fail_at = 0;
  uint64_t mallocs = 0, frees = 0, maps = 0, unmaps = 0;
  uint64_t mapped_bytes = 0;  // currently mapped
  size_t max_map = 0;         // maps larger than this are refused (0: none), as under ulimit -v
  uint64_t refused_maps = 0;
  void* first_map = nullptr;  // the first mapping (a manager's region)
  size_t first_map_size = 0;
  void attach(fastalloc32_config& c);
  // malloc/free only: map stays mmap, so the manager may use mremap.
  void attach_malloc(fastalloc32_config& c);
  bool balanced() const { return mallocs == frees && maps == unmaps && mapped_bytes == 0; }
};

// Large blocks from the arena or a mapping start at a colour: a non-zero
// multiple of 64 bytes (or of a larger alignment below a page) into their
// first page, within the slack the request leaves in the block's last page
// (or its bucket, for a mapping), so that they do not share their low 12
// address bits and the colour costs no page. A request that leaves less
// than 64 bytes there stays page aligned. With 4 KiB pages:
inline size_t colour_of(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 4096;
}
// The page the block's span or mapping starts at.
inline uintptr_t first_page(const void* p) {
  return reinterpret_cast<uintptr_t>(p) / 4096 * 4096;
}
// The slack `size` leaves in its last page.
inline size_t page_slack(size_t size) {
  return (4096 - size % 4096) % 4096;
}

// The pages of [from, to) (whole pages, the first and last rounded out)
// locked in memory (mlock) while this lives. madvise(MADV_DONTNEED) on
// locked pages fails with EINVAL and changes nothing, as it does in a
// program that locked its memory (mlock, mlockall): how the tests make the
// trims' one system call fail with the default mmap, where no hook can.
class LockedPages {
 public:
  LockedPages(const void* from, const void* to);
  ~LockedPages() { unlock(); }
  LockedPages(const LockedPages&) = delete;
  LockedPages& operator=(const LockedPages&) = delete;
  void unlock();

 private:
  void* start_ = nullptr;
  size_t bytes_ = 0;
};

// A live block of a random-walk test: where it is, its requested size, and
// the id its fill pattern comes from.
struct Block {
  void* ptr;
  size_t size;
  uint64_t id;
};

// The VmFlags of the mapping that holds p, from /proc/self/smaps ("" if
// none), each flag followed by a space: "ac" is a commit-charged mapping,
// "nr" one without swap reserved, "hg" one that asked for huge pages.
std::string vm_flags(const void* p);
bool has_flag(const std::string& flags, const char* flag);
// Bytes of [base, base + size) in pages the kernel holds (mincore): read,
// written or made present. base is page-aligned.
size_t resident_bytes(const void* base, size_t size);

// Fills / verifies n bytes with the pattern of allocation `id`.
void fill(void* p, size_t n, uint64_t id);
bool verify(const void* p, size_t n, uint64_t id);
bool all_zero(const void* p, size_t n);

}  // namespace fa32_test
