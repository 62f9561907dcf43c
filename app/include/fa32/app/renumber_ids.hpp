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
  // Rewrites e.id. A live id keeps its new number until its free; an event
  // on an id that is not live (an invalid trace) gets a number no
  // allocation has, so it stays invalid, although a double free then reads
  // as a free of an unknown id.
  void apply(traces::Event& e);
  // Every new id is below this.
  std::uint64_t id_bound() const { return next_; }

 private:
  std::uint64_t fresh();
  std::unordered_map<std::uint64_t, std::uint64_t> live_;  // old id -> new id
  std::vector<std::uint64_t> freed_;                       // new ids free for reuse, most recent last
  std::uint64_t next_ = 0;
};

}  // namespace fa32::app
