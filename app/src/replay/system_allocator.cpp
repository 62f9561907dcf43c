// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/system_allocator.hpp"

#include <malloc.h>

#include <cstdlib>

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
}

void* SystemAllocator::aligned_alloc(std::size_t alignment, std::size_t size) {
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, alignment, size) != 0) return nullptr;
  return p;
}

void SystemAllocator::replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) {
  replayer.run(*this, events);
}

AllocatorSample SystemAllocator::sample() const {
  AllocatorSample s;
  std::uint64_t footprint = 0;
  std::uint64_t reserved = 0;
  heap_figures(footprint, reserved);
  s.footprint = footprint > base_footprint_ ? footprint - base_footprint_ : 0;
  s.reserved = reserved > base_reserved_ ? reserved - base_reserved_ : 0;
  return s;
}

std::unique_ptr<Allocator> make_system_allocator() {
  return std::make_unique<SystemAllocator>();
}

}  // namespace fa32::app::replay
