// `fa32 convert --renumber`: gives a trace's allocations dense, recycled
// ids (0, 1, 2, ...; a freed id is reused by the next allocation, the most
// recently freed first), the form importers and `fa32 gen` produce. For
// traces whose ids are sparse (validate warns) or too large to replay.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "fa32/traces/event.hpp"

namespace fa32::app {

class IdRenumberer {
 public:
  // Rewrites e.id. A live id keeps its new number until its free. An event
  // on an id that is not live (an invalid trace) stays invalid: a free or
  // realloc of a freed id keeps the freed number while no allocation has
  // taken it again, so a double free stays one; after that, and for an id
  // never allocated, it gets a number no allocation has (a double free
  // then reads as a free of an id never allocated).
  void apply(traces::Event& e);
  // Every new id is below this.
  std::uint64_t id_bound() const { return next_; }

 private:
  struct Freed {
    std::uint64_t id;      // the new id, free for reuse
    std::uint64_t old_id;  // the id freed as it
  };
  std::uint64_t fresh();
  std::uint64_t not_live(std::uint64_t old_id);
  std::unordered_map<std::uint64_t, std::uint64_t> live_;      // old id -> new id
  std::vector<Freed> freed_;                                   // most recent last
  std::unordered_map<std::uint64_t, std::uint64_t> freed_as_;  // freed old id -> its new id, not yet reused
  std::uint64_t next_ = 0;
};

}  // namespace fa32::app
