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

namespace fa32::app::replay {
namespace {

using traces::Op;

constexpr std::uint64_t kPage = 4096;
// Events replayed between clock reads and progress callbacks.
constexpr std::size_t kChunk = 65536;

std::uint64_t pattern_word(std::uint64_t id) {
  return (id + 1) * 0x9E3779B97F4A7C15ull ^ 0xA5A5A5A55A5A5A5Aull;
}

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

// --touch first: the first byte, then one byte per page, so the pages a
// program would fault in are faulted in, without paying for a memset.
inline void touch_pages(void* p, std::uint64_t from, std::uint64_t to) {
  auto* b = static_cast<volatile unsigned char*>(p);
  for (std::uint64_t off = from; off < to; off += kPage) b[off] = 1;
}

inline void touch_block(Touch t, void* p, std::uint64_t from, std::uint64_t to) {
  if (t == Touch::first) {
    if (from < to) touch_pages(p, from, to);
  } else if (t == Touch::all) {
    if (from < to) std::memset(static_cast<unsigned char*>(p) + from, 0x5a, to - from);
  }
}

std::string id_text(std::uint64_t id) {
  return "id " + std::to_string(id);
}

}  // namespace

std::string_view touch_name(Touch t) {
  switch (t) {
    case Touch::none:
      return "none";
    case Touch::first:
      return "first";
    case Touch::all:
      return "all";
  }
  return "first";
}

std::optional<Touch> touch_from_name(std::string_view name) {
  if (name == "none") return Touch::none;
  if (name == "first") return Touch::first;
  if (name == "all") return Touch::all;
  return std::nullopt;
}

void fill_pattern(void* p, std::uint64_t bytes, std::uint64_t id) {
  const std::uint64_t w = pattern_word(id);
  auto* b = static_cast<unsigned char*>(p);
  std::uint64_t i = 0;
  for (; i + 8 <= bytes; i += 8) std::memcpy(b + i, &w, 8);
  unsigned char tail[8];
  std::memcpy(tail, &w, 8);
  for (std::uint64_t k = 0; i < bytes; ++i, ++k) b[i] = tail[k];
}

std::uint64_t check_pattern(const void* p, std::uint64_t bytes, std::uint64_t id) {
  const std::uint64_t w = pattern_word(id);
  unsigned char ref[8];
  std::memcpy(ref, &w, 8);
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    if (std::memcmp(b + i, ref, 8) != 0) break;
  }
  for (; i < bytes; ++i) {
    if (b[i] != ref[i % 8]) return i;
  }
  return bytes;
}

Replayer::Replayer(Allocator& allocator, const ReplayOptions& options)
    : alloc_(allocator), options_(options) {
  // The header's bound is a hint: a bogus one must not fail the replay.
  if (options_.id_bound != 0 && options_.id_bound <= (std::uint64_t{1} << 32)) {
    try {
      table_.resize(options_.id_bound);
    } catch (const std::bad_alloc&) {
      table_.clear();
    }
  }
  if (options_.snapshot_every != 0) next_snapshot_ = options_.snapshot_every;
}

Replayer::~Replayer() {
  release_live();
}

void Replayer::release_live() {
  // After a corruption the heap may be broken: leave it to process exit
  // (fastalloc32_destroy still releases its own pools).
  if (result_.error && result_.error->kind != ErrorKind::invalid_event) return;
  for (Slot& s : table_) {
    if ((s.born_state & 3) == slot_live) {
      alloc_.free(s.ptr);
      s = Slot{};
    }
  }
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

void Replayer::grow_table(std::uint64_t id, std::uint64_t index) {
  const std::uint64_t want = std::max<std::uint64_t>(id + 1, table_.size() * 2);
  try {
    table_.resize(want);
  } catch (const std::bad_alloc&) {
    try {
      table_.resize(id + 1);  // the doubling may be what did not fit
    } catch (const std::bad_alloc&) {
      throw traces::TraceError("event " + std::to_string(index) + ": id " + std::to_string(id) +
                               " needs an id table of " + std::to_string(id + 1) + " slots of " +
                               std::to_string(sizeof(Slot)) +
                               " bytes, which cannot be mapped: ids must be dense");
    }
  }
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
// Everything rare (errors, peaks, snapshots, table growth) is out of line.
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
  Slot* table = table_.data();
  std::uint64_t table_size = table_.size();
  std::uint64_t next_stop = peak_pending_ ? index : next_snapshot_;
  const bool sample_peaks = options_.sample_peaks;

  auto is_live = [&](std::uint64_t id) { return id < table_size && (table[id].born_state & 3) == slot_live; };
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
      next_stop = next_snapshot_;
    }
    const Op op = e.op();
    const std::uint64_t id = e.id();
    const std::uint64_t size = e.size;
    ++result_.op_counts[static_cast<std::size_t>(op)];

    switch (op) {
      case Op::malloc:
      case Op::calloc:
      case Op::aligned_alloc: {
        if (id >= table_size) [[unlikely]] {
          grow_table(id, index);
          table = table_.data();
          table_size = table_.size();
        }
        Slot& s = table[id];
        if ((s.born_state & 3) == slot_live) [[unlikely]] {
          if (!invalid(index, e, "the id is still live", result_.invalid.id_in_use)) goto stop;
          break;
        }
        void* p;
        std::uint64_t align = min_align;
        if (op == Op::malloc) [[likely]] {
          p = a.malloc(size);
        } else if (op == Op::calloc) {
          p = a.calloc(1, size);
        } else {
          if (e.align_log2() == ReplayEvent::bad_alignment) [[unlikely]] {
            if (!invalid(index, e, "the alignment is not a power of two", result_.invalid.bad_alignment))
              goto stop;
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
          if (p != nullptr) fill_pattern(p, size, id);
        } else if (p != nullptr) {
          touch_block(touch, p, 0, size);
        }
        break;
      }
      case Op::free: {
        if (!is_live(id)) [[unlikely]] {
          if (!not_live(index, e, id < table_size ? &table[id] : nullptr)) goto stop;
          break;
        }
        Slot& s = table[id];
        if (verify) [[unlikely]] {
          if (!verify_block(index, id, s, s.size, "before free")) goto stop;
        }
        a.free(s.ptr);
        live_bytes -= s.size;
        --live_allocs;
        s.ptr = nullptr;
        s.born_state = (s.born_state & ~std::uint64_t{3}) | slot_freed;
        if (last_alloc_index_plus1_ == index && last_alloc_id_ == id) ++result_.temporary_allocs;
        break;
      }
      case Op::realloc: {
        if (!is_live(id)) [[unlikely]] {
          if (!not_live(index, e, id < table_size ? &table[id] : nullptr)) goto stop;
          break;
        }
        Slot& s = table[id];
        const std::uint64_t old_size = s.size;
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
        } else if (size > old_size) {
          touch_block(touch, q, old_size, size);
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

ReplayResult Replayer::finish() {
  if (finished_) return result_;
  finished_ = true;
  if (peak_pending_) sample_peak();
  if (options_.snapshot_every != 0 && !stopped() &&
      (snapshots_.empty() || snapshots_[snapshots_.size() - 1].events != result_.events)) {
    take_snapshot(result_.events);
  }
  result_.at_end = alloc_.sample();
  result_.fa32 = alloc_.final_stats();
  if (result_.fa32) {
    result_.footprint_peak = result_.fa32->stats.footprint.peak;
    result_.footprint_peak_exact = true;
  } else {
    result_.footprint_peak = std::max(result_.footprint_peak, result_.at_end.footprint);
  }

  // Leaks: every id still live, the first leak_limit by allocating event.
  std::vector<Leak> first;
  const std::uint64_t limit = options_.leak_limit;
  for (std::uint64_t id = 0; id < table_.size(); ++id) {
    const Slot& s = table_[id];
    if ((s.born_state & 3) != slot_live) continue;
    ++result_.leak_count;
    result_.leak_bytes += s.size;
    const Leak l{id, s.size, s.born_state >> 2};
    if (limit == 0) continue;
    if (first.size() < limit) {
      first.insert(std::upper_bound(first.begin(), first.end(), l,
                                    [](const Leak& x, const Leak& y) { return x.event < y.event; }),
                   l);
    } else if (l.event < first.back().event) {
      first.pop_back();
      first.insert(std::upper_bound(first.begin(), first.end(), l,
                                    [](const Leak& x, const Leak& y) { return x.event < y.event; }),
                   l);
    }
    if (options_.verify && !stopped()) verify_block(result_.events, id, s, s.size, "at exit");
  }
  result_.leaks = std::move(first);

  if (options_.verify && !stopped() && result_.fa32) {
    const fastalloc32_stats& st = result_.fa32->stats;
    if (result_.fa32->check != FASTALLOC32_OK) {
      fail(ErrorKind::accounting, result_.events,
           std::string("after the last event: fastalloc32_check failed: ") +
               fastalloc32_status_string(result_.fa32->check));
    } else if (st.live_allocs.current != result_.live_allocs ||
               st.bytes_requested.current != result_.live_bytes) {
      fail(ErrorKind::accounting, result_.events,
           "after the last event: fastalloc32 counts " + std::to_string(st.live_allocs.current) +
               " live allocations of " + std::to_string(st.bytes_requested.current) + " bytes, the replay " +
               std::to_string(result_.live_allocs) + " of " + std::to_string(result_.live_bytes));
    }
  }
  result_.snapshots.assign(snapshots_.begin(), snapshots_.end());
  return result_;
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
