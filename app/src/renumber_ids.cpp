// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/renumber_ids.hpp"

namespace fa32::app {

std::uint64_t IdRenumberer::fresh() {
  return next_++;
}

std::uint64_t IdRenumberer::not_live(std::uint64_t old_id) {
  // A freed id whose number is not yet reused keeps it: a double free stays
  // one. Any other gets a number no allocation has.
  const auto it = freed_as_.find(old_id);
  return it != freed_as_.end() ? it->second : fresh();
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
        const Freed reused = freed_.back();
        freed_.pop_back();
        id = reused.id;
        // The old id that was freed as this number no longer has it (unless
        // it was allocated and freed again since, as another number).
        const auto was = freed_as_.find(reused.old_id);
        if (was != freed_as_.end() && was->second == id) freed_as_.erase(was);
      }
      freed_as_.erase(e.id);
      live_.emplace(e.id, id);
      e.id = id;
      return;
    }
    case Op::free:
      if (it == live_.end()) {
        e.id = not_live(e.id);
        return;
      }
      freed_.push_back({it->second, e.id});
      freed_as_[e.id] = it->second;
      e.id = it->second;
      live_.erase(it);
      return;
    case Op::realloc:
      // realloc to 0 frees in C, but whether the block is gone is the
      // replaying allocator's business: the id stays live here, as
      // `fa32 validate` sees it.
      e.id = it == live_.end() ? not_live(e.id) : it->second;
      return;
  }
}

}  // namespace fa32::app
