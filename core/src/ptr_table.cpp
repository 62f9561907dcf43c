// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptr_table.hpp"

#include "manager.hpp"

namespace fa32::core {

namespace {
constexpr size_t kInitialSlots = 128;  // one page of entries
}

size_t PtrTable::home(uintptr_t ptr) const noexcept {
  // Fibonacci hashing of the pointer without its always-zero low bits.
  return static_cast<size_t>(((ptr >> 4) * 0x9E3779B97F4A7C15ull) >> shift_);
}

TableEntry* PtrTable::find(uintptr_t ptr) const noexcept {
  if (count_ == 0 || ptr == 0) return nullptr;
  for (size_t i = home(ptr);; i = (i + 1) & mask_) {
    TableEntry* e = &slots_[i];
    if (e->ptr == ptr) return e;
    if (e->ptr == 0) return nullptr;
  }
}

bool PtrTable::reserve_one(Manager& m) noexcept {
  const size_t cap = slots_ == nullptr ? 0 : mask_ + 1;
  if ((count_ + 1) * 2 <= cap) return true;
  const size_t new_cap = cap == 0 ? kInitialSlots : cap * 2;
  auto* fresh = static_cast<TableEntry*>(sys_map(m, new_cap * sizeof(TableEntry)));
  if (fresh == nullptr) return false;  // the old table is untouched
  TableEntry* old = slots_;
  slots_ = fresh;  // map memory is zeroed: every slot empty
  mask_ = new_cap - 1;
  shift_ = 64 - log2_floor(new_cap);
  count_ = 0;
  for (size_t i = 0; i < cap; ++i) {
    if (old[i].ptr != 0) insert(old[i]);
  }
  if (old != nullptr) sys_unmap(m, old, cap * sizeof(TableEntry));
  return true;
}

void PtrTable::insert(const TableEntry& e) noexcept {
  size_t i = home(e.ptr);
  while (slots_[i].ptr != 0) i = (i + 1) & mask_;
  slots_[i] = e;
  ++count_;
}

void PtrTable::erase(TableEntry* e) noexcept {
  // Backward-shift deletion: move later members of the probe run into the
  // hole when their home position allows it.
  size_t hole = static_cast<size_t>(e - slots_);
  for (size_t i = (hole + 1) & mask_; slots_[i].ptr != 0; i = (i + 1) & mask_) {
    const size_t h = home(slots_[i].ptr);
    // The entry at i may move to hole iff hole lies cyclically in [h, i).
    if (((i - h) & mask_) >= ((i - hole) & mask_)) {
      slots_[hole] = slots_[i];
      hole = i;
    }
  }
  slots_[hole] = TableEntry{0, 0, 0, 0};
  --count_;
}

void PtrTable::release(Manager& m) noexcept {
  if (slots_ != nullptr) sys_unmap(m, slots_, (mask_ + 1) * sizeof(TableEntry));
  slots_ = nullptr;
  mask_ = 0;
  count_ = 0;
  shift_ = 64;
}

}  // namespace fa32::core
