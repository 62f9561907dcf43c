// A growable array of trivially copyable T living in its own anonymous
// mapping. The replayer keeps every piece of its bookkeeping (event buffer,
// id table, snapshots) here, never in malloc, so the allocator under test --
// fastalloc32 or the process's own malloc -- is the only heap being measured.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <type_traits>

namespace fa32::app::replay {

// Untyped core: pages come zeroed from the kernel and are only paid for once
// touched (MAP_NORESERVE), so reserving generously is cheap.
class MappedBytes {
 public:
  MappedBytes() = default;
  ~MappedBytes();
  MappedBytes(MappedBytes&& other) noexcept;
  MappedBytes& operator=(MappedBytes&& other) noexcept;
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;

  // Grows (or first maps) to at least bytes; new bytes are zero. Keeps the
  // contents. Throws std::bad_alloc if the kernel refuses.
  void reserve(std::size_t bytes);
  void release();
  std::byte* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t capacity_ = 0;
};

template <class T>
class MappedArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  MappedArray() = default;
  explicit MappedArray(std::size_t capacity) { reserve(capacity); }

  // Capacity grows geometrically; elements beyond size() read as zero bytes.
  void reserve(std::size_t n) {
    if (n <= capacity()) return;
    std::size_t want = capacity() * 2;
    if (want < n) want = n;
    if (want < 1024) want = 1024;
    if (want > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    bytes_.reserve(want * sizeof(T));
  }
  void push_back(const T& v) {
    if (size_ == capacity()) reserve(size_ + 1);
    data()[size_++] = v;
  }
  void resize(std::size_t n) {
    reserve(n);
    size_ = n;
  }
  void clear() { size_ = 0; }

  T* data() const { return reinterpret_cast<T*>(bytes_.data()); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return bytes_.capacity() / sizeof(T); }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) const { return data()[i]; }
  T* begin() const { return data(); }
  T* end() const { return data() + size_; }
  std::span<T> span() const { return {data(), size_}; }

 private:
  MappedBytes bytes_;
  std::size_t size_ = 0;
};

}  // namespace fa32::app::replay
