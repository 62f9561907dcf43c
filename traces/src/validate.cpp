// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/traces/validate.hpp"

#include <algorithm>

namespace fa32::traces {
namespace {
constexpr std::uint64_t kDenseLimit = std::uint64_t{1} << 26;
constexpr std::uint64_t kDenseFloor = std::uint64_t{1} << 16;
constexpr std::uint64_t kSlotsPerEvent = 4;

bool power_of_two(std::uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}
}  // namespace

std::string_view validation_code_name(ValidationCode code) {
  switch (code) {
    case ValidationCode::not_live:
      return "not-live";
    case ValidationCode::double_free:
      return "double-free";
    case ValidationCode::already_live:
      return "already-live";
    case ValidationCode::size_too_large:
      return "size-too-large";
    case ValidationCode::calloc_overflow:
      return "calloc-overflow";
    case ValidationCode::bad_alignment:
      return "bad-alignment";
    case ValidationCode::stray_alignment:
      return "stray-alignment";
    case ValidationCode::stray_count:
      return "stray-count";
  }
  return "unknown";
}

std::pair<ValidationCode, std::string> stray_field_error(const Event& e) {
  const std::string what = std::string(op_name(e.op)) + " of id " + std::to_string(e.id);
  if (e.count != 1 && e.op != Op::calloc) {
    return {ValidationCode::stray_count,
            what + " has count " + std::to_string(e.count) + " (only calloc has one)"};
  }
  return {ValidationCode::stray_alignment,
          what + " has alignment " + std::to_string(e.alignment) + " (only aligned_alloc has one)"};
}

Validator::Validator(ValidationLimits limits) : limits_(limits) {}

Validator::Slot* Validator::find(std::uint64_t id) {
  if (id < dense_.size()) return &dense_[id];
  auto it = sparse_.find(id);
  return it == sparse_.end() ? nullptr : &it->second;
}

Validator::Slot& Validator::slot(std::uint64_t id) {
  if (id < dense_.size()) return dense_[id];
  // Grow the dense table only as dense ids reach its end, and to at most 4
  // slots per event seen (65,536 at least), as the replayer's id table: so
  // one hostile id cannot allocate gigabytes, nor can a chain of ids each
  // just within reach of the last growth (4095, 12287, 28671, ...: 14
  // events took the table to 2^26 slots, 1.5 GiB). Entries parked in the map
  // move over.
  const std::uint64_t limit =
      std::min(kDenseLimit, std::max<std::uint64_t>(kDenseFloor, summary_.events * kSlotsPerEvent));
  if (id < limit && id < dense_.size() * 2 + 4096) {
    dense_.resize(std::min<std::uint64_t>(limit, std::max<std::uint64_t>(id + 1, dense_.size() * 2)));
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first < dense_.size()) {
        dense_[it->first] = it->second;
        it = sparse_.erase(it);
      } else {
        ++it;
      }
    }
    return dense_[id];
  }
  return sparse_[id];
}

void Validator::add_live(std::uint64_t bytes) {
  live_lo_ += bytes;
  if (live_lo_ < bytes) ++live_hi_;
  if (live_hi_ > peak_hi_ || (live_hi_ == peak_hi_ && live_lo_ > peak_lo_)) {
    peak_hi_ = live_hi_;
    peak_lo_ = live_lo_;
  }
  publish_live();
}

void Validator::sub_live(std::uint64_t bytes) {
  if (live_lo_ < bytes) --live_hi_;
  live_lo_ -= bytes;
  publish_live();
}

void Validator::publish_live() {
  summary_.live_bytes = live_hi_ != 0 ? UINT64_MAX : live_lo_;
  summary_.peak_live_bytes = peak_hi_ != 0 ? UINT64_MAX : peak_lo_;
}

std::optional<ValidationError> Validator::error(ValidationCode code, std::string what) {
  ++summary_.errors;
  std::uint64_t index = summary_.events - 1;
  std::string message = "event " + std::to_string(index) + ": " + what;
  return ValidationError{code, index, std::move(what), std::move(message)};
}

std::optional<ValidationError> Validator::check(const Event& e) {
  ++summary_.events;
  ++summary_.by_op[static_cast<std::size_t>(e.op)];
  const std::string id = "id " + std::to_string(e.id);
  const std::string_view op = op_name(e.op);

  if (has_stray_field(e)) {
    auto [code, what] = stray_field_error(e);
    return error(code, std::move(what));
  }
  std::uint64_t bytes = e.size;
  if (e.op == Op::calloc) {
    if (e.size != 0 && e.count > limits_.max_size / e.size) {
      bool wraps = e.count > UINT64_MAX / e.size;
      return error(ValidationCode::calloc_overflow,
                   "calloc of " + id + ": " + std::to_string(e.count) + " * " + std::to_string(e.size) +
                       (wraps ? " overflows 64 bits" : " bytes exceeds the size limit"));
    }
    bytes = e.count * e.size;
  } else if (e.op != Op::free && e.size > limits_.max_size) {
    return error(ValidationCode::size_too_large, std::string(op) + " of " + id + ": size " +
                                                     std::to_string(e.size) + " exceeds the limit of " +
                                                     std::to_string(limits_.max_size) + " bytes");
  }
  if (e.op == Op::aligned_alloc && !power_of_two(e.alignment)) {
    return error(ValidationCode::bad_alignment, "aligned_alloc of " + id + ": alignment " +
                                                    std::to_string(e.alignment) + " is not a power of two");
  }

  Slot* found = e.op == Op::free || e.op == Op::realloc ? find(e.id) : &slot(e.id);
  if (e.op == Op::free || e.op == Op::realloc) {
    if (found == nullptr || found->state != 1) {
      if (found != nullptr && found->state == 2) {
        return error(ValidationCode::double_free, std::string(op) + " of " + id +
                                                      ", which was already freed by event " +
                                                      std::to_string(found->event) + " (double free)");
      }
      return error(ValidationCode::not_live, std::string(op) + " of " + id + ", which was never allocated");
    }
  }
  Slot& s = *found;
  if (e.op == Op::free || e.op == Op::realloc) {
    sub_live(s.size);
    if (e.op == Op::free) {
      s.state = 2;
      s.event = summary_.events - 1;
      s.size = 0;
      --summary_.live_count;
      return std::nullopt;
    }
  } else {
    if (s.state == 1) {
      return error(ValidationCode::already_live, std::string(op) + " of " + id +
                                                     ", which is still live (allocated by event " +
                                                     std::to_string(s.event) + ")");
    }
    s.state = 1;
    s.event = summary_.events - 1;
    ++summary_.live_count;
    summary_.peak_live_count = std::max(summary_.peak_live_count, summary_.live_count);
    summary_.max_id = std::max(summary_.max_id, e.id);
  }
  s.size = bytes;
  add_live(bytes);
  summary_.total_requested_bytes = bytes > UINT64_MAX - summary_.total_requested_bytes
                                       ? UINT64_MAX
                                       : summary_.total_requested_bytes + bytes;
  return std::nullopt;
}

std::vector<std::uint64_t> Validator::live_ids() const {
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < dense_.size(); ++i) {
    if (dense_[i].state == 1) ids.push_back(i);
  }
  for (const auto& [id, s] : sparse_) {
    if (s.state == 1) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace fa32::traces
