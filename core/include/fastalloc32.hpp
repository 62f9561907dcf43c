// SPDX-License-Identifier: GPL-3.0-or-later
//
// fastalloc32 for C++: a thin layer over the C API in fastalloc32.h.
//
//  - fa32::Allocator       owns one manager (RAII, move-only);
//  - fa32::MemoryResource  a std::pmr::memory_resource over a manager;
//  - fa32::lua_alloc       the lua_Alloc-shaped function (fastalloc32_lua_alloc).
//
// Like the manager itself, none of this is thread-safe. Allocation calls
// never throw: they return nullptr and the manager's last_status(), exactly
// as the C API does. Only constructing an Allocator (which is not on any
// fast path) and MemoryResource::allocate (std::pmr requires it) throw.
// Needs C++17 with exceptions and RTTI (MemoryResource's is_equal uses
// dynamic_cast): it does not compile with -fno-exceptions or -fno-rtti.
// fastalloc32.h alone needs neither, from C or C++.
#ifndef FASTALLOC32_HPP
#define FASTALLOC32_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "fastalloc32.h"

namespace fa32 {

using Config = fastalloc32_config;
using Stats = fastalloc32_stats;
using ClassStats = fastalloc32_class_stats;
using Status = fastalloc32_status;
using Kind = fastalloc32_kind;

// The defaults: 64 size classes with growing pools, peaks off (the
// "default" preset of fastalloc32_config_preset).
inline Config default_config() noexcept {
  Config config;
  fastalloc32_config_init(&config);
  return config;
}

// The layout of the C fastalloc32 this library grew from: one 128-byte
// class, a 1 MiB pool that never grows, a 512-entry cache, peaks kept (the
// "original" preset).
inline Config original_config() noexcept {
  Config config;
  fastalloc32_config_preset(&config, "original");
  return config;
}

// Thrown only by the throwing Allocator constructors.
class Error : public std::runtime_error {
 public:
  explicit Error(Status status)
      : std::runtime_error(std::string("fastalloc32: ") + fastalloc32_status_string(status)),
        status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

// One live allocation, as seen by Allocator::for_each_live.
struct LiveBlock {
  void* ptr;
  std::size_t requested;
  std::size_t reserved;
  Kind kind;
};

class Allocator {
 public:
  // A manager with the default config; throws fa32::Error when it cannot be made.
  Allocator() : Allocator(default_config()) {}
  // A manager with `config` (copied); throws fa32::Error (BAD_CONFIG, NOMEM).
  explicit Allocator(const Config& config) {
    Status status = FASTALLOC32_OK;
    mm_ = fastalloc32_create_with(&config, &status);
    if (mm_ == nullptr) throw Error(status == FASTALLOC32_OK ? FASTALLOC32_E_NOMEM : status);
  }

  // The non-throwing way: an empty Allocator (operator bool is false) and
  // *status set when the manager cannot be made.
  static Allocator create(const Config& config, Status* status = nullptr) noexcept {
    Status local = FASTALLOC32_OK;
    Allocator a{fastalloc32_create_with(&config, &local), Adopt{}};
    if (a.mm_ == nullptr && local == FASTALLOC32_OK) local = FASTALLOC32_E_NOMEM;
    if (status != nullptr) *status = local;
    return a;
  }
  // Takes ownership of a manager made with the C API (may be NULL).
  static Allocator adopt(fastalloc32_mm* mm) noexcept { return Allocator{mm, Adopt{}}; }

  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;
  Allocator(Allocator&& other) noexcept : mm_(std::exchange(other.mm_, nullptr)) {}
  Allocator& operator=(Allocator&& other) noexcept {
    if (this != &other) {
      fastalloc32_destroy(mm_);
      mm_ = std::exchange(other.mm_, nullptr);
    }
    return *this;
  }
  // Destroying the manager releases every block it holds, live ones included.
  ~Allocator() { fastalloc32_destroy(mm_); }

  // The raw handle for the C API; the Allocator keeps owning it.
  fastalloc32_mm* get() const noexcept { return mm_; }
  // Gives up ownership: the caller must fastalloc32_destroy the result.
  fastalloc32_mm* release() noexcept { return std::exchange(mm_, nullptr); }
  explicit operator bool() const noexcept { return mm_ != nullptr; }

  void* malloc(std::size_t size) noexcept { return fastalloc32_malloc(mm_, size); }
  void* calloc(std::size_t count, std::size_t size) noexcept { return fastalloc32_calloc(mm_, count, size); }
  void* realloc(void* ptr, std::size_t size) noexcept { return fastalloc32_realloc(mm_, ptr, size); }
  void free(void* ptr) noexcept { fastalloc32_free(mm_, ptr); }
  void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    return fastalloc32_aligned_alloc(mm_, alignment, size);
  }
  std::size_t usable_size(const void* ptr) const noexcept { return fastalloc32_usable_size(mm_, ptr); }
  Kind kind_of(const void* ptr) const noexcept { return fastalloc32_kind_of(mm_, ptr); }
  Status last_status() const noexcept { return fastalloc32_last_status(mm_); }
  Status check() const noexcept { return fastalloc32_check(mm_); }

  Stats stats() const noexcept {
    Stats s{};
    s.size = sizeof(Stats);
    fastalloc32_get_stats(mm_, &s);
    return s;
  }
  // The config the manager runs with (pool_limit as create could reserve
  // it); the zeroed config of version 0 for an empty Allocator.
  Config config() const noexcept {
    Config c{};
    if (fastalloc32_get_config(mm_, &c) != FASTALLOC32_OK) c = Config{};
    return c;
  }
  std::uint32_t class_count() const noexcept { return fastalloc32_class_count(mm_); }
  // Zeroed stats when index is out of range.
  ClassStats class_stats(std::uint32_t index) const noexcept {
    ClassStats s{};
    if (fastalloc32_get_class_stats(mm_, index, &s) != FASTALLOC32_OK) s = ClassStats{};
    return s;
  }

  // Calls fn(const LiveBlock&) for every live allocation. fn returns void
  // (visit all) or bool (false stops the walk). An exception thrown by fn
  // stops the walk and is rethrown here, never through the C library.
  // The manager must not be changed from inside fn.
  template <typename Fn>
  void for_each_live(Fn&& fn) const {
    struct Ctx {
      std::remove_reference_t<Fn>* fn;
      std::exception_ptr error;
    } ctx{&fn, nullptr};
    fastalloc32_for_each_live(
        mm_,
        [](void* ptr, std::size_t requested, std::size_t reserved, Kind kind, void* user) -> int {
          auto* c = static_cast<Ctx*>(user);
          try {
            const LiveBlock block{ptr, requested, reserved, kind};
            if constexpr (std::is_same_v<decltype((*c->fn)(block)), void>) {
              (*c->fn)(block);
              return 0;
            } else {
              return static_cast<bool>((*c->fn)(block)) ? 0 : 1;
            }
          } catch (...) {
            c->error = std::current_exception();
            return 1;
          }
        },
        &ctx);
    if (ctx.error) std::rethrow_exception(ctx.error);
  }

 private:
  struct Adopt {};
  Allocator(fastalloc32_mm* mm, Adopt) noexcept : mm_(mm) {}

  fastalloc32_mm* mm_ = nullptr;
};

// std::pmr over a manager it does not own: the manager (or the Allocator
// owning it) must outlive every container using the resource.
class MemoryResource : public std::pmr::memory_resource {
 public:
  explicit MemoryResource(fastalloc32_mm* mm) noexcept : mm_(mm) {}
  explicit MemoryResource(const Allocator& allocator) noexcept : mm_(allocator.get()) {}
  // Not over a temporary Allocator: its manager would be destroyed at the
  // end of the statement, and the resource left pointing at unmapped memory.
  explicit MemoryResource(const Allocator&&) = delete;

  fastalloc32_mm* manager() const noexcept { return mm_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    // Zero bytes still gets a distinct block, so nullptr only ever means failure.
    const std::size_t size = bytes == 0 ? 1 : bytes;
    // Every block is aligned to at least max_align_t; beyond that ask for it.
    void* p = alignment <= alignof(std::max_align_t) ? fastalloc32_malloc(mm_, size)
                                                     : fastalloc32_aligned_alloc(mm_, alignment, size);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void do_deallocate(void* p, std::size_t, std::size_t) override { fastalloc32_free(mm_, p); }
  // Two resources are interchangeable exactly when they use the same manager.
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    if (this == &other) return true;
    const auto* o = dynamic_cast<const MemoryResource*>(&other);
    return o != nullptr && o->mm_ == mm_;
  }

  fastalloc32_mm* mm_;
};

// lua_newstate(fa32::lua_alloc, allocator.get()); see fastalloc32_lua_alloc.
inline void* lua_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
  return fastalloc32_lua_alloc(ud, ptr, osize, nsize);
}

}  // namespace fa32

#endif  // FASTALLOC32_HPP
