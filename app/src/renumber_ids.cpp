// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/renumber_ids.hpp"

namespace fa32::app {

std::uint64_t IdRenumberer::fresh() {
  return next_++;
}

void IdRenumberer::apply(traces::Event& e) {
  using traces::Op;
  const auto it = live_.find(e.id);
  switch (e.op) {
    case Op::malloc:
    case Op::calloc:
    case Op::aligned_alloc: {
      if (it != live_.end()) {
        e.id = it->second;  // allocation of a live id: still one after renumbering
        return;
      }
      std::uint64_t id;
      if (freed_.empty()) {
        id = fresh();
      } else {
        id = freed_.back();
        freed_.pop_back();
      }
      live_.emplace(e.id, id);
      e.id = id;
      return;
    }
    case Op::free:
      if (it == live_.end()) {
        e.id = fresh();
        return;
      }
      e.id = it->second;
      freed_.push_back(it->second);
      live_.erase(it);
      return;
    case Op::realloc:
      // realloc to 0 frees in C, but whether the block is gone is the
      // replaying allocator's business: the id stays live here, as
      // `fa32 validate` sees it.
      e.id = it == live_.end() ? fresh() : it->second;
      return;
  }
}

}  // namespace fa32::app
