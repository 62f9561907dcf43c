// The binary trace format (docs/trace-format.md, "Binary format"):
//   magic (8 bytes) | varint version | varint header length | header JSON
//   records...      | trailer: 0x07, varint event count, CRC-32 (4 bytes LE)
// A record is one tag byte (op in bits 0-2, field-present flags above) and
// LEB128 varints: zigzag id delta, then the flagged fields.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <cstring>

namespace fa32::traces::detail {

inline constexpr char kBinaryMagic[8] = {'\x89', 'F', 'A', '3', '2', '\r', '\n', '\x1a'};
inline constexpr std::uint8_t kTagTrailer = 0x07;
inline constexpr std::uint8_t kOpMask = 0x07;
inline constexpr std::uint8_t kHasThread = 0x08;  // thread differs from the previous record's
inline constexpr std::uint8_t kHasTime = 0x10;    // zigzag delta from the previous time
inline constexpr std::uint8_t kHasSize = 0x20;    // size != 0
inline constexpr std::uint8_t kHasCount = 0x40;   // count != 1
inline constexpr std::uint8_t kHasAlign = 0x80;   // alignment != 0
// Tag + 6 varints of at most 10 bytes.
inline constexpr std::size_t kMaxRecordBytes = 1 + 6 * 10;

inline std::uint64_t zigzag(std::uint64_t delta) {
  return (delta << 1) ^ (0 - (delta >> 63));
}
inline std::uint64_t unzigzag(std::uint64_t z) {
  return (z >> 1) ^ (0 - (z & 1));
}

inline std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}

// Decodes without bounds checks: the caller guarantees 10 readable bytes.
// Returns nullptr for an over-long varint (more than 64 bits).
inline const std::uint8_t* get_varint(const std::uint8_t* p, std::uint64_t& v) {
  std::uint64_t b = *p++;
  if (b < 0x80) {
    v = b;
    return p;
  }
  std::uint64_t r = b & 0x7f;
  for (int shift = 7; shift < 63; shift += 7) {
    b = *p++;
    r |= (b & 0x7f) << shift;
    if (b < 0x80) {
      v = r;
      return p;
    }
  }
  b = *p++;  // 10th byte: only its lowest bit fits
  if (b > 1) return nullptr;
  v = r | (b << 63);
  return p;
}

}  // namespace fa32::traces::detail
