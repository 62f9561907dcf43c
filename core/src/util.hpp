// SPDX-License-Identifier: GPL-3.0-or-later
// Small arithmetic helpers shared by every part of the allocator. All of them
// report overflow instead of wrapping: the original's align_up wrapped near
// SIZE_MAX and handed out a tiny block.
#pragma once

#include <cstddef>
#include <cstdint>

#define FA32_LIKELY(x) __builtin_expect(!!(x), 1)
#define FA32_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FA32_NOINLINE __attribute__((noinline))

namespace fa32::core {

inline constexpr bool is_pow2(size_t x) noexcept {
  return x != 0 && (x & (x - 1)) == 0;
}

// *out = v rounded up to a multiple of the power of two a; false on overflow.
inline bool align_up(size_t v, size_t a, size_t* out) noexcept {
  size_t r = 0;
  if (__builtin_add_overflow(v, a - 1, &r)) return false;
  *out = r & ~(a - 1);
  return true;
}

inline uintptr_t align_up_ptr(uintptr_t v, size_t a) noexcept {
  return (v + a - 1) & ~uintptr_t(a - 1);
}

// Smallest power of two >= x (x <= 2^63).
inline size_t next_pow2(size_t x) noexcept {
  return x <= 1 ? 1 : size_t(1) << (64 - __builtin_clzll(static_cast<unsigned long long>(x - 1)));
}

inline unsigned log2_floor(size_t x) noexcept {
  return 63u - static_cast<unsigned>(__builtin_clzll(static_cast<unsigned long long>(x)));
}

__extension__ typedef unsigned __int128 uint128;

// floor(2^64 / d) + 1, which is ceil(2^64 / d) unless d is a power of two
// (then exactly 2^64 / d). For every n with n * d < 2^64, the product
// n * reciprocal(d) has n / d as its high 64 bits, and its low 64 bits are
// below reciprocal(d) exactly when d divides n (divide_by_reciprocal). The
// manager refuses configs whose pool strides could break n * d < 2^64.
inline uint64_t reciprocal(uint64_t d) noexcept {
  return UINT64_MAX / d + 1;
}

// n / d with recip = reciprocal(d), and whether d divides n: the high half
// of one multiply is the quotient, and the low half is below the
// reciprocal exactly when the remainder is zero (the divisibility test of
// Lemire, Kaser and Kurz). Block index and "is a block's first byte" of an
// offset, for pools and fallback slabs alike.
inline uint64_t divide_by_reciprocal(uint64_t n, uint64_t recip, bool* divides) noexcept {
  const uint128 product = static_cast<uint128>(n) * recip;
  *divides = static_cast<uint64_t>(product) < recip;
  return static_cast<uint64_t>(product >> 64);
}

}  // namespace fa32::core
