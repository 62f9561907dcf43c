// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/mapped_array.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>
#include <utility>

namespace fa32::app::replay {
namespace {
std::size_t page_round(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  if (bytes > SIZE_MAX - page) throw std::bad_alloc();
  return (bytes + page - 1) / page * page;
}
}  // namespace

MappedBytes::~MappedBytes() {
  release();
}

MappedBytes::MappedBytes(MappedBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

MappedBytes& MappedBytes::operator=(MappedBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void MappedBytes::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return;
  const std::size_t want = page_round(bytes);
  void* p;
  if (data_ == nullptr) {
    p = mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  } else {
    // mremap moves page tables, not bytes: growing a big table stays cheap.
    p = mremap(data_, capacity_, want, MREMAP_MAYMOVE);
  }
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<std::byte*>(p);
  capacity_ = want;
}

void MappedBytes::release() {
  if (data_ != nullptr) munmap(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
}

}  // namespace fa32::app::replay
