// Address -> allocation id, for importers: open addressing with linear
// probing and backward-shift deletion (no tombstones), several times faster
// than std::unordered_map on the insert/erase churn of a trace, where
// every free erases and most allocations insert.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fa32::traces {

class AddressMap {
 public:
  AddressMap() : slots_(kInitial) {}

  // The id stored for addr, or nullptr. addr must not be 0.
  std::uint64_t* find(std::uint64_t addr) {
    for (std::size_t i = home(addr);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.key == addr) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }
  // Stores addr -> id; returns false (and overwrites) if addr was present.
  bool insert(std::uint64_t addr, std::uint64_t id) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = home(addr);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.key == addr) {
        s.value = id;
        return false;
      }
      if (s.key == 0) {
        s = Slot{addr, id};
        ++size_;
        return true;
      }
    }
  }
  // Removes addr; returns whether it was present and its id in *id.
  bool erase(std::uint64_t addr, std::uint64_t* id) {
    std::size_t i = home(addr);
    for (;; i = (i + 1) & mask()) {
      if (slots_[i].key == addr) break;
      if (slots_[i].key == 0) return false;
    }
    *id = slots_[i].value;
    // Backward shift: pull later entries of the probe run into the hole.
    for (std::size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      if (slots_[j].key == 0) break;
      const std::size_t h = home(slots_[j].key);
      // Move j to i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }
  std::size_t size() const { return size_; }
  void clear() {
    slots_.assign(kInitial, Slot{});
    size_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint64_t value = 0;
  };
  static constexpr std::size_t kInitial = 1024;

  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint64_t addr) const {
    // Keeps neighbouring blocks in neighbouring slots (allocators hand out
    // runs of nearby addresses, so the table is walked with locality), and
    // folds the high bits in so distant heaps do not pile onto one run.
    const std::uint64_t a = addr >> 4;
    return static_cast<std::size_t>(a ^ ((a >> 20) * 0x9E3779B97F4A7C15ull)) & mask();
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != 0) insert(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace fa32::traces
