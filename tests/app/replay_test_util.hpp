// Helpers for the replay engine tests: events built in memory, and test
// allocators that misbehave on purpose so --verify has something to find.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdlib>
#include <cstring>
#include <vector>

#include "fa32/app/replay/allocator.hpp"
#include "fa32/app/replay/replay_event.hpp"

namespace fa32::test {

using app::replay::ReplayEvent;
using traces::Op;

inline ReplayEvent ev_malloc(std::uint64_t id, std::uint64_t size) {
  return ReplayEvent::make(Op::malloc, id, size);
}
inline ReplayEvent ev_calloc(std::uint64_t id, std::uint64_t size) {
  return ReplayEvent::make(Op::calloc, id, size);
}
inline ReplayEvent ev_free(std::uint64_t id) {
  return ReplayEvent::make(Op::free, id, 0);
}
inline ReplayEvent ev_realloc(std::uint64_t id, std::uint64_t size) {
  return ReplayEvent::make(Op::realloc, id, size);
}
inline ReplayEvent ev_aligned(std::uint64_t id, std::uint64_t size, std::uint8_t log2) {
  return ReplayEvent::make(Op::aligned_alloc, id, size, log2);
}

// malloc underneath; subclasses break one promise each.
class TestAllocator : public app::replay::Allocator {
 public:
  ~TestAllocator() override {
    for (void* p : owned_) std::free(p);
  }
  std::string name() const override { return "test"; }
  std::string describe() const override { return "test allocator"; }
  std::size_t min_alignment() const override { return 16; }
  void* malloc(std::size_t size) override { return keep(std::malloc(size == 0 ? 1 : size)); }
  void* calloc(std::size_t n, std::size_t size) override {
    return keep(std::calloc(n, size == 0 ? 1 : size));
  }
  void* realloc(void* p, std::size_t size) override {
    if (size == 0) {
      free(p);
      return nullptr;
    }
    forget(p);
    return keep(std::realloc(p, size));
  }
  void* aligned_alloc(std::size_t a, std::size_t size) override {
    void* p = nullptr;
    if (posix_memalign(&p, a < sizeof(void*) ? sizeof(void*) : a, size) != 0) return nullptr;
    return keep(p);
  }
  void free(void* p) override {
    forget(p);
    std::free(p);
  }
  app::replay::AllocatorSample sample() const override {
    app::replay::AllocatorSample s;
    s.footprint = owned_.size() * 100;
    return s;
  }
  std::optional<app::replay::Fa32Final> final_stats() const override { return std::nullopt; }
  std::size_t live() const { return owned_.size(); }
  void* first() const { return owned_.empty() ? nullptr : owned_.front(); }

 protected:
  void* keep(void* p) {
    if (p != nullptr) owned_.push_back(p);
    return p;
  }
  void forget(void* p) {
    for (auto& q : owned_) {
      if (q == p) {
        q = owned_.back();
        owned_.pop_back();
        return;
      }
    }
  }
  std::vector<void*> owned_;
};

// Hands out the same block twice: the overlap --verify must catch.
class OverlappingAllocator final : public TestAllocator {
 public:
  void* malloc(std::size_t size) override {
    if (last_ != nullptr) return last_;
    last_ = TestAllocator::malloc(size < 256 ? 256 : size);
    return last_;
  }
  void free(void* p) override {
    if (!freed_) TestAllocator::free(p);
    freed_ = true;
  }

 private:
  void* last_ = nullptr;
  bool freed_ = false;
};

// Returns pointers one byte past an aligned block.
class MisaligningAllocator final : public TestAllocator {
 public:
  void* malloc(std::size_t size) override { return static_cast<char*>(TestAllocator::malloc(size + 1)) + 1; }
  void free(void* p) override { TestAllocator::free(static_cast<char*>(p) - 1); }
};

// calloc that forgets to zero.
class DirtyCallocAllocator final : public TestAllocator {
 public:
  void* calloc(std::size_t n, std::size_t size) override {
    void* p = TestAllocator::malloc(n * size);
    std::memset(p, 0xee, n * size);
    return p;
  }
};

// realloc(p, 0) returns a block (mimalloc does), where TestAllocator frees
// p and returns NULL (glibc, fastalloc32).
class ZeroBlockAllocator final : public TestAllocator {
 public:
  void* realloc(void* p, std::size_t size) override {
    return TestAllocator::realloc(p, size == 0 ? 1 : size);
  }
};

// Fails every allocation larger than a limit.
class LimitedAllocator final : public TestAllocator {
 public:
  explicit LimitedAllocator(std::size_t limit) : limit_(limit) {}
  void* malloc(std::size_t size) override { return size > limit_ ? nullptr : TestAllocator::malloc(size); }
  void* realloc(void* p, std::size_t size) override {
    return size > limit_ ? nullptr : TestAllocator::realloc(p, size);
  }

 private:
  std::size_t limit_;
};

}  // namespace fa32::test
