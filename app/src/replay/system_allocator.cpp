// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/system_allocator.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "replay_loop.hpp"

namespace fa32::app::replay {
namespace {
// glibc: arena bytes from brk/mmap plus mmapped chunks is what the heap
// holds; in-use chunk bytes (headers and rounding included) is what it set
// aside for live blocks.
void heap_figures(std::uint64_t& footprint, std::uint64_t& reserved) {
  const struct mallinfo2 mi = mallinfo2();
  footprint = mi.arena + mi.hblkhd;
  reserved = mi.uordblks + mi.hblkhd;
}

std::uintptr_t current_break() {
  return reinterpret_cast<std::uintptr_t>(sbrk(0));
}

// Where the brk heap begins: its line in the process's map, or the break
// itself while there is none (a heap starts at the break).
std::uintptr_t brk_heap_start() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() < 6 || line.compare(line.size() - 6, 6, "[heap]") != 0) continue;
    try {
      return static_cast<std::uintptr_t>(std::stoull(line, nullptr, 16));
    } catch (const std::exception&) {
      break;
    }
  }
  return current_break();
}

// The calls of a replay that samples its peaks. glibc's footprint (arena
// plus mmapped bytes) grows in an allocating call only, and only in one
// of two ways: the break moves up (the main arena grows), or the block
// returned lies outside the brk heap (an mmapped chunk, new or grown by
// mremap, or the main arena's mmapped extension where sbrk failed). After
// every such call the allocator samples mallinfo2, so its peak is exact
// at call boundaries, as fastalloc32's own gauge is. Only the break is
// read otherwise: sbrk(0) returns glibc's cached break, no system call.
class WatchedSystemAllocator final {
 public:
  explicit WatchedSystemAllocator(SystemAllocator& s) : s_(s) {}
  std::size_t min_alignment() const { return s_.min_alignment(); }
  void* malloc(std::size_t size) { return s_.after_alloc(std::malloc(size)); }
  void* calloc(std::size_t count, std::size_t size) { return s_.after_alloc(std::calloc(count, size)); }
  void* realloc(void* ptr, std::size_t size) { return s_.after_alloc(std::realloc(ptr, size)); }
  void* aligned_alloc(std::size_t alignment, std::size_t size) {
    return s_.after_alloc(s_.aligned_alloc(alignment, size));
  }
  void free(void* ptr) {
    std::free(ptr);
    s_.after_free();
  }

 private:
  SystemAllocator& s_;
};
}  // namespace

SystemAllocator::SystemAllocator() {
  // The footprint is how far the heap grows from here. Free space that the
  // process's start-up left in it (on git-log's bench worker 145 KB, nearly
  // all the top chunk) would take the trace's first blocks without growing
  // it, and glibc's figure would read that much low: give it back first,
  // so the trace starts from a heap holding only what is in use, as a
  // program's does.
  malloc_trim(0);
  heap_figures(base_footprint_, base_reserved_);
  heap_start_ = brk_heap_start();
  last_break_ = current_break();
}

void* SystemAllocator::aligned_alloc(std::size_t alignment, std::size_t size) {
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, alignment, size) != 0) return nullptr;
  return p;
}

void* SystemAllocator::after_alloc(void* block) {
  const std::uintptr_t brk = current_break();
  const auto at = reinterpret_cast<std::uintptr_t>(block);
  const bool outside_heap = block != nullptr && (at < heap_start_ || at >= brk);
  if (brk > last_break_ || outside_heap) sample();
  last_break_ = brk;
  return block;
}

// A free can trim the heap: the break seen last must follow it down, or the
// heap's growing back would go unseen.
void SystemAllocator::after_free() {
  last_break_ = current_break();
}

void SystemAllocator::replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) {
  if (replayer.samples_peaks()) {
    watched_ = true;
    WatchedSystemAllocator watch(*this);
    replayer.run(watch, events);
  } else {
    unwatched_ = true;
    replayer.run(*this, events);
  }
}

std::optional<std::uint64_t> SystemAllocator::exact_footprint_peak() const {
  if (!watched_ || unwatched_) return std::nullopt;
  return sampled_peak_;
}

AllocatorSample SystemAllocator::sample() const {
  AllocatorSample s;
  std::uint64_t footprint = 0;
  std::uint64_t reserved = 0;
  heap_figures(footprint, reserved);
  s.footprint = footprint > base_footprint_ ? footprint - base_footprint_ : 0;
  s.reserved = reserved > base_reserved_ ? reserved - base_reserved_ : 0;
  sampled_peak_ = std::max(sampled_peak_, s.footprint);
  return s;
}

std::unique_ptr<Allocator> make_system_allocator() {
  return std::make_unique<SystemAllocator>();
}

}  // namespace fa32::app::replay
