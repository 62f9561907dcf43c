// SPDX-License-Identifier: GPL-3.0-or-later
// Open-addressing table of the large blocks, keyed by the
// pointer handed out. It replaces the original's separately malloc'd list
// node per block, and it is consulted BEFORE anything is read at a pointer,
// so an unknown pointer is rejected without touching its memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fa32::core {

// The low three bits of TableEntry::tag; 0 is no kind (check reports it).
enum class BlockKind : uint8_t { large_heap = 1, large_mapped = 2, large_arena = 4 };

struct TableEntry {
  uintptr_t ptr;       // 0: empty slot
  uint64_t requested;  // bytes asked for
  uint64_t usable;     // bytes usable from ptr
  // (ptr - raw) | kind: the raw block starts tag & ~7 before ptr (offsets
  // are multiples of the minimum alignment, 16).
  uint64_t tag;

  BlockKind kind() const noexcept { return static_cast<BlockKind>(tag & 7); }
  uint64_t offset() const noexcept { return tag & ~uint64_t(7); }
  char* raw() const noexcept { return reinterpret_cast<char*>(ptr - offset()); }
  uint64_t raw_size() const noexcept { return offset() + usable; }
};

}  // namespace fa32::core

struct fastalloc32_mm;

namespace fa32::core {

using Manager = ::fastalloc32_mm;

// Linear probing, load factor <= 1/2, deletion by backward shift (no
// tombstones, so lookups stay short however long the table lives).
// Memory comes from the manager's map hook and grows by doubling, so there
// is no per-block allocation.
class PtrTable {
 public:
  TableEntry* find(uintptr_t ptr) const noexcept;
  // Makes room for one more entry; false (nothing changed) if memory for a
  // bigger table could not be had.
  bool reserve_one(Manager& m) noexcept;
  // Requires reserve_one() since the last insert.
  void insert(const TableEntry& e) noexcept;
  void erase(TableEntry* e) noexcept;
  void release(Manager& m) noexcept;

  size_t size() const noexcept { return count_; }
  size_t capacity() const noexcept { return slots_ == nullptr ? 0 : mask_ + 1; }
  TableEntry* begin() const noexcept { return slots_; }
  TableEntry* end() const noexcept { return slots_ == nullptr ? nullptr : slots_ + mask_ + 1; }
  size_t home(uintptr_t ptr) const noexcept;

 private:
  TableEntry* slots_ = nullptr;
  size_t mask_ = 0;
  size_t count_ = 0;
  unsigned shift_ = 64;
};

}  // namespace fa32::core
