// Semantic checks on an event stream: reading checks syntax, this checks
// meaning (ids live when used, sizes sane, alignments powers of two...).
// The replay engine can run the same checks before touching an allocator.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fa32/traces/event.hpp"

namespace fa32::traces {

struct ValidationLimits {
  // Larger requests (size, or count * size for calloc) are errors: no real
  // program asks for a terabyte, a corrupt or mis-converted trace does.
  std::uint64_t max_size = std::uint64_t{1} << 40;
};

enum class ValidationCode {
  not_live,         // free/realloc of an id never allocated (or not since its free)
  double_free,      // free/realloc of an id already freed
  already_live,     // allocation of an id that is still live
  size_too_large,   // size beyond ValidationLimits::max_size
  calloc_overflow,  // count * size overflows 64 bits or exceeds max_size
  bad_alignment,    // aligned_alloc with an alignment that is not a power of two
  stray_alignment,  // alignment on an op other than aligned_alloc
  stray_count,      // count != 1 on an op other than calloc
};

struct ValidationError {
  ValidationCode code;
  std::uint64_t event_index = 0;  // from 0, in stream order
  std::string what;               // "free of id 7, which was never allocated"
  std::string message;            // "event 12: " + what
};

struct ValidationSummary {
  std::uint64_t events = 0;
  std::array<std::uint64_t, op_count> by_op{};
  std::uint64_t errors = 0;
  std::uint64_t live_count = 0;  // at the end (so far)
  // live_bytes, peak_live_bytes and total_requested_bytes saturate at
  // UINT64_MAX (with max_size near 2^64, two live blocks pass it).
  std::uint64_t live_bytes = 0;
  std::uint64_t peak_live_count = 0;
  std::uint64_t peak_live_bytes = 0;
  std::uint64_t max_id = 0;
  std::uint64_t total_requested_bytes = 0;
};

class Validator {
 public:
  explicit Validator(ValidationLimits limits = {});

  // Checks e against everything seen before and applies it when valid (an
  // invalid event changes nothing, so one bad event yields one error).
  std::optional<ValidationError> check(const Event& e);
  const ValidationSummary& summary() const { return summary_; }
  // Ids live now, in increasing order (leaks, once the stream has ended).
  std::vector<std::uint64_t> live_ids() const;
  // The id slots held, dense and sparse: what the validator's memory grows
  // with (at most 4 per event seen, and 65,536, plus one per sparse id).
  std::uint64_t slots_held() const { return dense_.size() + sparse_.size(); }

 private:
  struct Slot {
    std::uint64_t size = 0;   // requested bytes while live
    std::uint64_t event = 0;  // index of the allocation (live) or the free (freed)
    std::uint8_t state = 0;   // 0 never seen, 1 live, 2 freed
  };
  Slot& slot(std::uint64_t id);
  Slot* find(std::uint64_t id);
  std::optional<ValidationError> error(ValidationCode code, std::string what);
  void add_live(std::uint64_t bytes);
  void sub_live(std::uint64_t bytes);
  void publish_live();

  ValidationLimits limits_;
  ValidationSummary summary_;
  // The live requested bytes and their peak as 128-bit numbers (high,
  // low): with --max-size near 2^64 two live blocks pass 2^64, and the
  // summary's figures saturate at UINT64_MAX instead of wrapping to a small
  // number.
  std::uint64_t live_lo_ = 0;
  std::uint64_t live_hi_ = 0;
  std::uint64_t peak_lo_ = 0;
  std::uint64_t peak_hi_ = 0;
  // Dense ids index a vector that grows only in proportion to the events
  // seen; other ids go to a map, so no hostile id, nor a chain of them,
  // can make the table huge.
  std::vector<Slot> dense_;
  std::unordered_map<std::uint64_t, Slot> sparse_;
};

std::string_view validation_code_name(ValidationCode code);

// A count on an op other than calloc, or an alignment on an op other than
// aligned_alloc: every format can hold one, and such an event is invalid.
// One check for `fa32 validate` and the replayer, which cannot represent
// the field and would otherwise replay the event without it. Inline: the
// replayer asks for every event.
inline bool has_stray_field(const Event& e) {
  return (e.count != 1 && e.op != Op::calloc) || (e.alignment != 0 && e.op != Op::aligned_alloc);
}
// For an event has_stray_field() holds for: stray_count or stray_alignment,
// and "malloc of id 3 has count 2 (only calloc has one)".
std::pair<ValidationCode, std::string> stray_field_error(const Event& e);

}  // namespace fa32::traces
