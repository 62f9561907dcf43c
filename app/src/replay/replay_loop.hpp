// The replay engine's hot loop, one handler per kind of event. A template on
// the allocator type: each adapter instantiates it for its own `final` class
// (Allocator::replay_chunk), so the allocator calls inline and the engine
// names no concrete allocator. Private to the engine and the adapters.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <string>

#include "fa32/app/replay/engine.hpp"
#include "touch.hpp"

namespace fa32::app::replay::detail {

inline int size_bin(std::uint64_t size) {
  return size <= 1 ? 0 : static_cast<int>(std::bit_width(size - 1));
}

// The state of the loop lives in this object's members for one chunk; it
// never escapes, so the compiler keeps the counters in registers. Everything
// rare (errors, peaks, snapshots, refusals, ids beyond the dense table) is
// out of line in the Replayer.
template <class A>
class ReplayLoop {
 public:
  ReplayLoop(Replayer& r, A& a)
      : r_(r),
        a_(a),
        res_(r.result_),
        verify_(r.options_.verify),
        sample_peaks_(r.options_.sample_peaks),
        touch_(verify_ ? Touch::none : r.options_.touch),
        min_align_(a.min_alignment()),
        limit_(r.options_.memory_limit),
        index_(res_.events),
        live_bytes_(res_.live_bytes),
        live_allocs_(res_.live_allocs),
        peak_bytes_(res_.peak_live_bytes),
        peak_allocs_(res_.peak_live_allocs),
        table_(r.ids_.dense()),
        table_size_(r.ids_.dense_size()),
        next_stop_(r.peak_pending_ ? index_ : std::min(r.snapshots_.next(), r.timeline_.next())) {}

  // One switch on the op, one table index, one allocator call per event.
  void run(std::span<const ReplayEvent> events) {
    for (const ReplayEvent& e : events) {
      // One compare of locals covers every rare stop: the sample after a new
      // peak (due at the event after it), the next snapshot and the next
      // timeline point.
      if (index_ == next_stop_) [[unlikely]]
        stop_point();
      const traces::Op op = e.op();
      // Counted in its op before the handler (far_slot reads the counts),
      // within the cases so an unknown op indexes nothing.
      bool go_on;
      switch (op) {
        case traces::Op::malloc:
        case traces::Op::calloc:
        case traces::Op::aligned_alloc:
          ++res_.op_counts[static_cast<std::size_t>(op)];
          go_on = on_alloc(e);
          break;
        case traces::Op::free:
          ++res_.op_counts[static_cast<std::size_t>(op)];
          go_on = on_free(e);
          break;
        case traces::Op::realloc:
          ++res_.op_counts[static_cast<std::size_t>(op)];
          go_on = on_realloc(e);
          break;
        default:
          r_.fail(ErrorKind::invalid_event, index_, "event " + std::to_string(index_) + ": unknown op");
          go_on = false;
      }
      if (!go_on) [[unlikely]] {
        // The event the replay stops at was not replayed: it is in neither
        // events.total (index_) nor its op's count (report.md), which
        // otherwise disagreed (total 1, malloc 1 and free 1).
        if (static_cast<std::size_t>(op) < std::size_t{traces::op_count})
          --res_.op_counts[static_cast<std::size_t>(op)];
        break;
      }
      ++index_;
    }
    res_.events = index_;
    res_.touched_bytes += touched_;
    res_.touch_capped += capped_;
    store_live();
    res_.peak_live_bytes = peak_bytes_;
    res_.peak_live_allocs = peak_allocs_;
  }

 private:
  void store_live() {
    res_.live_bytes = live_bytes_;
    res_.live_allocs = live_allocs_;
  }

  void stop_point() {
    store_live();
    if (r_.peak_pending_) r_.sample_peak();
    if (index_ == r_.snapshots_.next()) r_.take_snapshot(index_);
    if (index_ == r_.timeline_.next()) r_.sample_timeline(index_);
    next_stop_ = std::min(r_.snapshots_.next(), r_.timeline_.next());
  }

  // A new peak of live bytes: remember where, and sample the allocator's
  // footprint at the next event (when asked to).
  void note_live_bytes() {
    if (live_bytes_ <= peak_bytes_) return;
    peak_bytes_ = live_bytes_;
    res_.peak_live_bytes_event = index_;
    if (sample_peaks_) {
      r_.peak_pending_ = true;
      next_stop_ = index_ + 1;
    }
  }

  void note_touch(Touched t) {
    touched_ += t.bytes;
    capped_ += t.capped ? 1 : 0;
  }

  Slot& alloc_slot(std::uint64_t id) {
    if (id < table_size_) [[likely]]
      return table_[id];
    Slot& s = r_.far_slot(id, index_);
    table_ = r_.ids_.dense();  // far_slot may have grown the dense table
    table_size_ = r_.ids_.dense_size();
    return s;
  }

  Slot* live_slot(std::uint64_t id) const {
    return id < table_size_ ? &table_[id] : r_.ids_.find_far_or_unused(id);
  }

  // Calls the allocator, or returns false with s marked when the request is
  // not made (memory limit) or is invalid. *stop is set when the replay ends.
  void* request(const ReplayEvent& e, Slot& s, std::uint64_t& align, bool& made, bool& stop) {
    const std::uint64_t size = e.size;
    const std::uint64_t room = limit_ - live_bytes_;
    made = false;
    stop = false;
    if (e.op() == traces::Op::malloc) [[likely]] {
      if (size > room) [[unlikely]] {
        r_.refuse_alloc(index_, e, live_bytes_, s);
        return nullptr;
      }
      made = true;
      return a_.malloc(size);
    }
    if (e.op() == traces::Op::calloc) {
      if (size > room) [[unlikely]] {
        r_.refuse_alloc(index_, e, live_bytes_, s);
        return nullptr;
      }
      made = true;
      return a_.calloc(1, size);
    }
    if (e.align_log2() == ReplayEvent::bad_alignment) [[unlikely]] {
      stop = !r_.invalid(index_, e, "the alignment is not a power of two", res_.invalid.bad_alignment);
      return nullptr;
    }
    // The alignment counts too: an allocator may pad by that much.
    if (size > room || e.alignment() > room - size) [[unlikely]] {
      r_.refuse_alloc(index_, e, live_bytes_, s);
      return nullptr;
    }
    made = true;
    align = std::max(align, e.alignment());
    return a_.aligned_alloc(e.alignment(), size);
  }

  bool on_alloc(const ReplayEvent& e) {
    const std::uint64_t id = e.id();
    const std::uint64_t size = e.size;
    Slot& s = alloc_slot(id);
    if ((s.born_state & 3) == slot_live) [[unlikely]]
      return r_.invalid(index_, e, "the id is still live", res_.invalid.id_in_use);
    std::uint64_t align = min_align_;
    bool made;
    bool stop;
    void* p = request(e, s, align, made, stop);
    if (!made) [[unlikely]]
      return !stop;
    if (p == nullptr && size != 0) [[unlikely]] {
      ++res_.failed_allocs;
      s = Slot{nullptr, 0, (index_ << 2) | slot_failed};
      return true;
    }
    s = Slot{p, size, (index_ << 2) | slot_live};
    live_bytes_ += size;
    ++live_allocs_;
    note_live_bytes();
    if (live_allocs_ > peak_allocs_) peak_allocs_ = live_allocs_;
    ++res_.size_histogram[static_cast<std::size_t>(size_bin(size))];
    r_.last_alloc_index_plus1_ = index_ + 1;
    r_.last_alloc_id_ = id;
    if (verify_) [[unlikely]]
      return verify_new_block(e, p, align);
    if (touch_ == Touch::first && size - 1 < touch_page_size) [[likely]] {
      // The common case, a block within one page: its first byte.
      static_cast<volatile unsigned char*>(p)[0] = 1;
      ++touched_;
    } else if (p != nullptr) {
      note_touch(touch_block(touch_, p, 0, size));
    }
    return true;
  }

  bool verify_new_block(const ReplayEvent& e, void* p, std::uint64_t align) {
    if (p == nullptr) return true;
    if (!r_.aligned_or_fail(index_, e, p, align)) return false;
    if (e.op() == traces::Op::calloc && !r_.zeroed_or_fail(index_, e, p)) return false;
    fill_pattern(p, e.size, e.id());
    touched_ += e.size;
    return true;
  }

  bool on_free(const ReplayEvent& e) {
    const std::uint64_t id = e.id();
    Slot* sp = live_slot(id);
    if ((sp->born_state & 3) != slot_live) [[unlikely]]
      return r_.not_live(index_, e, sp);
    Slot& s = *sp;
    if (verify_) [[unlikely]] {
      if (!r_.verify_block(index_, id, s, s.size, "before free")) return false;
    }
    a_.free(s.ptr);
    ++res_.lifetime_histogram[static_cast<std::size_t>(size_bin(index_ - (s.born_state >> 2)))];
    live_bytes_ -= s.size;
    --live_allocs_;
    s.ptr = nullptr;
    s.born_state = (s.born_state & ~std::uint64_t{3}) | slot_freed;
    if (r_.last_alloc_index_plus1_ == index_ && r_.last_alloc_id_ == id) ++res_.temporary_allocs;
    return true;
  }

  // realloc(p, 0) leaves the id live with size 0, whatever the allocator
  // did (trace-format.md): as `fa32 validate` says, so a trace's validity
  // does not depend on the allocator. Marking the id freed when the
  // allocator returned NULL (glibc, fastalloc32) made a later free of it a
  // "double free" there and not with mimalloc. An allocator that returned
  // NULL has freed the block: the slot holds NULL as the program's variable
  // would, so a later free is free(NULL), a later realloc realloc(NULL, n)
  // (a malloc), and the hot paths need no test for it.
  void realloc_to_zero(Slot& s, void* q) {
    ++res_.realloc_to_zero;
    live_bytes_ -= s.size;
    s.ptr = q;
    s.size = 0;
  }

  bool on_realloc(const ReplayEvent& e) {
    const std::uint64_t id = e.id();
    const std::uint64_t size = e.size;
    Slot* sp = live_slot(id);
    if ((sp->born_state & 3) != slot_live) [[unlikely]]
      return r_.not_live(index_, e, sp);
    Slot& s = *sp;
    const std::uint64_t old_size = s.size;
    if (size > old_size && size - old_size > limit_ - live_bytes_) [[unlikely]] {
      // Not made: the block stays where it was, as after a failed realloc.
      r_.refuse(index_, e, live_bytes_);
      ++res_.failed_reallocs;
      return true;
    }
    if (verify_) [[unlikely]] {
      if (!r_.verify_block(index_, id, s, old_size, "before realloc")) return false;
    }
    void* q = a_.realloc(s.ptr, size);
    if (size == 0) {
      realloc_to_zero(s, q);
      return true;
    }
    if (q == nullptr) [[unlikely]] {
      ++res_.failed_reallocs;
      return true;
    }
    if (q == s.ptr) {
      ++res_.realloc_in_place;
    } else {
      ++res_.realloc_moved;
    }
    s.ptr = q;
    s.size = size;
    live_bytes_ = live_bytes_ - old_size + size;
    note_live_bytes();
    ++res_.size_histogram[static_cast<std::size_t>(size_bin(size))];
    if (verify_) [[unlikely]] {
      if (!r_.aligned_or_fail(index_, e, q, min_align_)) return false;
      const Slot kept = s;
      if (!r_.verify_block(index_, id, kept, std::min(old_size, size), "after realloc")) return false;
      fill_pattern(q, size, id);
      touched_ += size;
    } else if (size > old_size) {
      note_touch(touch_block(touch_, q, old_size, size));
    }
    return true;
  }

  Replayer& r_;
  A& a_;
  ReplayResult& res_;
  const bool verify_;
  const bool sample_peaks_;
  const Touch touch_;
  const std::uint64_t min_align_;
  // live_bytes never exceeds the limit: every request that adds bytes is
  // checked against the room left.
  const std::uint64_t limit_;
  std::uint64_t index_;
  std::uint64_t live_bytes_;
  std::uint64_t live_allocs_;
  std::uint64_t peak_bytes_;
  std::uint64_t peak_allocs_;
  Slot* table_;
  std::uint64_t table_size_;
  std::uint64_t next_stop_;
  std::uint64_t touched_ = 0;
  std::uint64_t capped_ = 0;
};

}  // namespace fa32::app::replay::detail

namespace fa32::app::replay {

template <class A>
void Replayer::run(A& a, std::span<const ReplayEvent> events) {
  detail::ReplayLoop<A>(*this, a).run(events);
}

}  // namespace fa32::app::replay
