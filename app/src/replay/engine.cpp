// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/engine.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <ctime>
#include <new>
#include <string>

#include "fa32/app/replay/fa32_allocator.hpp"
#include "fa32/app/replay/system_allocator.hpp"
#include "touch.hpp"

namespace fa32::app::replay {
namespace {

using traces::Op;

// Events replayed between clock reads and progress callbacks.
constexpr std::size_t kChunk = 65536;

int size_bin(std::uint64_t size) {
  return size <= 1 ? 0 : static_cast<int>(std::bit_width(size - 1));
}

// CPU time of this thread: on a shared machine it tells the replay's own
// cost apart from time spent waiting for a core.
std::uint64_t cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::string id_text(std::uint64_t id) {
  return "id " + std::to_string(id);
}

}  // namespace

Replayer::Replayer(Allocator& allocator, const ReplayOptions& options)
    : alloc_(allocator), options_(options) {
  ids_.presize(options_.id_bound, options_.expected_events);
  if (options_.snapshot_every != 0) next_snapshot_ = options_.snapshot_every;
  timeline_.start(options_.timeline_points);
}

void Replayer::fail(ErrorKind kind, std::uint64_t index, std::string message) {
  if (!result_.error) result_.error = ReplayError{kind, index, std::move(message)};
}

bool Replayer::invalid(std::uint64_t index, const ReplayEvent& e, const char* what, std::uint64_t& counter) {
  ++counter;
  if (options_.lenient) return true;
  fail(ErrorKind::invalid_event, index,
       "event " + std::to_string(index) + ": " + std::string(traces::op_name(e.op())) + " of " +
           id_text(e.id()) + ": " + what);
  return false;
}

bool Replayer::not_live(std::uint64_t index, const ReplayEvent& e, Slot* s) {
  const std::uint64_t state = s != nullptr ? (s->born_state & 3) : slot_unused;
  const bool is_free = e.op() == Op::free;
  if (state == slot_failed) {
    // The allocation failed, so a program would hold NULL here: skip.
    ++result_.skipped_after_fail;
    if (is_free) s->born_state = (s->born_state & ~std::uint64_t{3}) | slot_freed;
    return true;
  }
  if (state == slot_freed) {
    return invalid(index, e, is_free ? "double free (already freed)" : "the id was already freed",
                   result_.invalid.double_free);
  }
  return invalid(index, e, "the id was never allocated", result_.invalid.unknown_id);
}

void Replayer::sample_peak() {
  peak_pending_ = false;
  result_.at_peak_live = alloc_.sample();
  result_.footprint_peak = std::max(result_.footprint_peak, result_.at_peak_live.footprint);
}

void Replayer::take_snapshot(std::uint64_t events_done) {
  Snapshot s;
  s.events = events_done;
  s.live_bytes = result_.live_bytes;
  s.live_allocs = result_.live_allocs;
  s.allocator = alloc_.sample();
  result_.footprint_peak = std::max(result_.footprint_peak, s.allocator.footprint);
  snapshots_.push_back(s);
}

Slot& Replayer::far_slot(std::uint64_t id, std::uint64_t index) {
  using traces::Op;
  const auto& n = result_.op_counts;
  const std::uint64_t allocations = n[static_cast<std::size_t>(Op::malloc)] +
                                    n[static_cast<std::size_t>(Op::calloc)] +
                                    n[static_cast<std::size_t>(Op::aligned_alloc)];
  return ids_.insert(id, allocations, index);
}

void Replayer::refuse_alloc(std::uint64_t index, const ReplayEvent& e, std::uint64_t live_bytes, Slot& s) {
  refuse(index, e, live_bytes);
  ++result_.failed_allocs;
  s = Slot{nullptr, 0, (index << 2) | slot_failed};
}

void Replayer::refuse(std::uint64_t index, const ReplayEvent& e, std::uint64_t live_bytes) {
  ++result_.refused_by_limit;
  if (!result_.first_refusal.empty()) return;
  std::string what = std::to_string(e.size) + " bytes";
  if (e.op() == Op::calloc && e.size == UINT64_MAX) what = "count x size overflows 64 bits";
  if (e.op() == Op::aligned_alloc)
    what += ", aligned to " + std::to_string(e.alignment()) + ", which counts against the limit too";
  result_.first_refusal = "event " + std::to_string(index) + ": " + std::string(traces::op_name(e.op())) +
                          " of " + id_text(e.id()) + " (" + what + ") would take live requested bytes from " +
                          std::to_string(live_bytes) + " past the memory limit of " +
                          std::to_string(options_.memory_limit) + " bytes: not made, counted as failed";
}

bool Replayer::verify_block(std::uint64_t index, std::uint64_t id, const Slot& s, std::uint64_t bytes,
                            const char* when) {
  if (s.ptr == nullptr) return true;
  const std::uint64_t bad = check_pattern(s.ptr, bytes, id);
  if (bad == bytes) return true;
  fail(ErrorKind::corruption, index,
       "event " + std::to_string(index) + ": " + when + ": the block of " + id_text(id) + " (" +
           std::to_string(s.size) + " bytes, allocated at event " + std::to_string(s.born_state >> 2) +
           ") was overwritten at offset " + std::to_string(bad) +
           ": another block overlaps it or the allocator wrote into it");
  return false;
}

// The hot loop: one switch on the op, one table index, one allocator call.
// Everything rare (errors, peaks, snapshots, refusals, ids beyond the dense
// table) is out of line.
template <class A>
void Replayer::run(A& a, std::span<const ReplayEvent> events) {
  const bool verify = options_.verify;
  const Touch touch = verify ? Touch::none : options_.touch;
  const std::uint64_t min_align = a.min_alignment();
  std::uint64_t index = result_.events;
  std::uint64_t live_bytes = result_.live_bytes;
  std::uint64_t live_allocs = result_.live_allocs;
  std::uint64_t peak_bytes = result_.peak_live_bytes;
  std::uint64_t peak_allocs = result_.peak_live_allocs;
  Slot* table = ids_.dense();
  std::uint64_t table_size = ids_.dense_size();
  std::uint64_t next_stop = peak_pending_ ? index : std::min(next_snapshot_, timeline_.next());
  const bool sample_peaks = options_.sample_peaks;
  // live_bytes never exceeds the limit: every request that adds bytes is
  // checked against the room left.
  const std::uint64_t limit = options_.memory_limit;
  std::uint64_t touched = 0;
  std::uint64_t capped = 0;
  auto note_touch = [&](detail::Touched t) {
    touched += t.bytes;
    capped += t.capped ? 1 : 0;
  };
  // A new peak of live bytes: remember where, and sample the allocator's
  // footprint at the next event (when asked to).
  auto note_live_bytes = [&] {
    if (live_bytes <= peak_bytes) return;
    peak_bytes = live_bytes;
    result_.peak_live_bytes_event = index;
    if (sample_peaks) {
      peak_pending_ = true;
      next_stop = index + 1;
    }
  };

  auto misaligned = [&](void* p, std::uint64_t align, const ReplayEvent& e) {
    if (p == nullptr || reinterpret_cast<std::uintptr_t>(p) % align == 0) return false;
    fail(ErrorKind::misaligned, index,
         "event " + std::to_string(index) + ": " + std::string(traces::op_name(e.op())) + " of " +
             id_text(e.id()) + " returned a pointer not aligned to " + std::to_string(align) + " bytes");
    return true;
  };

  for (const ReplayEvent& e : events) {
    // One compare of locals covers both rare stops: the sample after a new
    // peak (due at the event after it) and the next snapshot.
    if (index == next_stop) [[unlikely]] {
      result_.live_bytes = live_bytes;
      result_.live_allocs = live_allocs;
      if (peak_pending_) sample_peak();
      if (index == next_snapshot_) {
        take_snapshot(index);
        next_snapshot_ += options_.snapshot_every;
      }
      if (index == timeline_.next()) sample_timeline(index);
      next_stop = std::min(next_snapshot_, timeline_.next());
    }
    const Op op = e.op();
    const std::uint64_t id = e.id();
    const std::uint64_t size = e.size;
    ++result_.op_counts[static_cast<std::size_t>(op)];

    switch (op) {
      case Op::malloc:
      case Op::calloc:
      case Op::aligned_alloc: {
        Slot* sp;
        if (id < table_size) [[likely]] {
          sp = &table[id];
        } else {
          sp = &far_slot(id, index);
          table = ids_.dense();
          table_size = ids_.dense_size();
        }
        Slot& s = *sp;
        if ((s.born_state & 3) == slot_live) [[unlikely]] {
          if (!invalid(index, e, "the id is still live", result_.invalid.id_in_use)) goto stop;
          break;
        }
        // A request past the memory limit is not made (a break leaves the switch).
        const std::uint64_t room = limit - live_bytes;
        void* p;
        std::uint64_t align = min_align;
        if (op == Op::malloc) [[likely]] {
          if (size > room) [[unlikely]] {
            refuse_alloc(index, e, live_bytes, s);
            break;
          }
          p = a.malloc(size);
        } else if (op == Op::calloc) {
          if (size > room) [[unlikely]] {
            refuse_alloc(index, e, live_bytes, s);
            break;
          }
          p = a.calloc(1, size);
        } else {
          if (e.align_log2() == ReplayEvent::bad_alignment) [[unlikely]] {
            if (!invalid(index, e, "the alignment is not a power of two", result_.invalid.bad_alignment))
              goto stop;
            break;
          }
          // The alignment counts too: an allocator may pad by that much.
          if (size > room || e.alignment() > room - size) [[unlikely]] {
            refuse_alloc(index, e, live_bytes, s);
            break;
          }
          p = a.aligned_alloc(e.alignment(), size);
          align = std::max(align, e.alignment());
        }
        if (p == nullptr && size != 0) [[unlikely]] {
          ++result_.failed_allocs;
          s = Slot{nullptr, 0, (index << 2) | slot_failed};
          break;
        }
        s = Slot{p, size, (index << 2) | slot_live};
        live_bytes += size;
        ++live_allocs;
        note_live_bytes();
        if (live_allocs > peak_allocs) peak_allocs = live_allocs;
        ++result_.size_histogram[static_cast<std::size_t>(size_bin(size))];
        last_alloc_index_plus1_ = index + 1;
        last_alloc_id_ = id;
        if (verify) [[unlikely]] {
          if (misaligned(p, align, e)) goto stop;
          if (op == Op::calloc && p != nullptr) {
            const auto* b = static_cast<const unsigned char*>(p);
            for (std::uint64_t k = 0; k < size; ++k) {
              if (b[k] != 0) {
                fail(ErrorKind::calloc_not_zero, index,
                     "event " + std::to_string(index) + ": calloc of " + id_text(id) +
                         " returned memory that is not zero at offset " + std::to_string(k));
                goto stop;
              }
            }
          }
          if (p != nullptr) {
            fill_pattern(p, size, id);
            touched += size;
          }
        } else if (touch == Touch::first && size - 1 < touch_page_size) [[likely]] {
          // The common case, a block within one page: its first byte.
          static_cast<volatile unsigned char*>(p)[0] = 1;
          ++touched;
        } else if (p != nullptr) {
          note_touch(detail::touch_block(touch, p, 0, size));
        }
        break;
      }
      case Op::free: {
        Slot* sp = id < table_size ? &table[id] : ids_.find_far_or_unused(id);
        if ((sp->born_state & 3) != slot_live) [[unlikely]] {
          if (!not_live(index, e, sp)) goto stop;
          break;
        }
        Slot& s = *sp;
        if (verify) [[unlikely]] {
          if (!verify_block(index, id, s, s.size, "before free")) goto stop;
        }
        a.free(s.ptr);
        ++result_.lifetime_histogram[static_cast<std::size_t>(size_bin(index - (s.born_state >> 2)))];
        live_bytes -= s.size;
        --live_allocs;
        s.ptr = nullptr;
        s.born_state = (s.born_state & ~std::uint64_t{3}) | slot_freed;
        if (last_alloc_index_plus1_ == index && last_alloc_id_ == id) ++result_.temporary_allocs;
        break;
      }
      case Op::realloc: {
        Slot* sp = id < table_size ? &table[id] : ids_.find_far_or_unused(id);
        if ((sp->born_state & 3) != slot_live) [[unlikely]] {
          if (!not_live(index, e, sp)) goto stop;
          break;
        }
        Slot& s = *sp;
        const std::uint64_t old_size = s.size;
        if (size > old_size && size - old_size > limit - live_bytes) [[unlikely]] {
          // Not made: the block stays where it was, as after a failed realloc.
          refuse(index, e, live_bytes);
          ++result_.failed_reallocs;
          break;
        }
        if (verify) [[unlikely]] {
          if (!verify_block(index, id, s, old_size, "before realloc")) goto stop;
        }
        void* q = a.realloc(s.ptr, size);
        if (size == 0) {
          // C semantics: realloc(p, 0) frees p.
          ++result_.realloc_to_zero;
          live_bytes -= old_size;
          if (q == nullptr) {
            --live_allocs;
            s.ptr = nullptr;
            s.size = 0;
            s.born_state = (s.born_state & ~std::uint64_t{3}) | slot_freed;
          } else {
            s.ptr = q;
            s.size = 0;
          }
          break;
        }
        if (q == nullptr) [[unlikely]] {
          ++result_.failed_reallocs;
          break;
        }
        if (q == s.ptr) {
          ++result_.realloc_in_place;
        } else {
          ++result_.realloc_moved;
        }
        s.ptr = q;
        s.size = size;
        live_bytes = live_bytes - old_size + size;
        note_live_bytes();
        ++result_.size_histogram[static_cast<std::size_t>(size_bin(size))];
        if (verify) [[unlikely]] {
          if (misaligned(q, min_align, e)) goto stop;
          Slot kept = s;
          if (!verify_block(index, id, kept, std::min(old_size, size), "after realloc")) goto stop;
          fill_pattern(q, size, id);
          touched += size;
        } else if (size > old_size) {
          note_touch(detail::touch_block(touch, q, old_size, size));
        }
        break;
      }
      default:
        fail(ErrorKind::invalid_event, index, "event " + std::to_string(index) + ": unknown op");
        goto stop;
    }
    ++index;
    continue;
  stop:
    break;
  }
  result_.events = index;
  result_.touched_bytes += touched;
  result_.touch_capped += capped;
  result_.live_bytes = live_bytes;
  result_.live_allocs = live_allocs;
  result_.peak_live_bytes = peak_bytes;
  result_.peak_live_allocs = peak_allocs;
}

bool Replayer::feed(std::span<const ReplayEvent> events) {
  while (!events.empty() && !stopped()) {
    const std::size_t n = std::min(events.size(), kChunk);
    const std::span<const ReplayEvent> chunk = events.first(n);
    const std::uint64_t t0 = now_ns();
    const std::uint64_t c0 = cpu_ns();
    if (auto* f = dynamic_cast<Fa32Allocator*>(&alloc_)) {
      run(*f, chunk);
    } else if (auto* s = dynamic_cast<SystemAllocator*>(&alloc_)) {
      run(*s, chunk);
    } else {
      run(alloc_, chunk);
    }
    result_.replay_cpu_ns += cpu_ns() - c0;
    result_.replay_ns += now_ns() - t0;
    events = events.subspan(n);
    if (options_.progress) options_.progress(result_.events);
  }
  return !stopped();
}

ReplayResult replay(std::span<const ReplayEvent> events, Allocator& allocator, const ReplayOptions& options) {
  Replayer r(allocator, options);
  r.feed(events);
  return r.finish();
}

ReplayResult replay_stream(traces::TraceReader& reader, Allocator& allocator, const ReplayOptions& options) {
  ReplayOptions o = options;
  if (o.id_bound == 0) o.id_bound = reader.header().id_bound;
  Replayer r(allocator, o);
  MappedArray<traces::Event> in;
  MappedArray<ReplayEvent> out;
  constexpr std::size_t chunk = 4096;
  in.resize(chunk);
  out.resize(chunk);
  std::uint64_t index = 0;
  while (!r.stopped()) {
    const std::size_t n = reader.read(in.span());
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) out[i] = to_replay_event(in[i], index + i);
    index += n;
    r.feed(std::span<const ReplayEvent>(out.data(), n));
  }
  return r.finish();
}

}  // namespace fa32::app::replay
