// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/engine.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <ctime>
#include <new>
#include <string>

#include "fa32/app/count_noun.hpp"
#include "replay_loop.hpp"

namespace fa32::app::replay {
namespace {

using traces::Op;

// Events replayed between clock reads and progress callbacks.
constexpr std::size_t kChunk = 65536;

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
  snapshots_.start(options_.snapshot_every);
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
  const AllocatorSample a = alloc_.sample();
  result_.footprint_peak = std::max(result_.footprint_peak, a.footprint);
  snapshots_.add(events_done, result_.live_bytes, result_.live_allocs, a);
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
  std::string what = count_noun(e.size, "byte");
  if (e.op() == Op::calloc && e.size == UINT64_MAX) what = "count x size overflows 64 bits";
  if (e.op() == Op::aligned_alloc)
    what += ", aligned to " + std::to_string(e.alignment()) + ", which counts against the limit too";
  // With no limit (--memory-limit none) only what no allocator could make
  // is refused: naming a "memory limit of 18446744073709551615 bytes" there
  // told the user of a limit they had just lifted.
  const std::string past = options_.memory_limit == UINT64_MAX
                               ? "2^64 - 1 bytes, more than any allocator can give (there is no memory limit)"
                               : "the memory limit of " + count_noun(options_.memory_limit, "byte");
  result_.first_refusal = "event " + std::to_string(index) + ": " + std::string(traces::op_name(e.op())) +
                          " of " + id_text(e.id()) + " (" + what + ") would take live requested bytes from " +
                          std::to_string(live_bytes) + " past " + past + ": not made, counted as failed";
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

bool Replayer::feed(std::span<const ReplayEvent> events) {
  while (!events.empty() && !stopped()) {
    const std::size_t n = std::min(events.size(), kChunk);
    const std::span<const ReplayEvent> chunk = events.first(n);
    const std::uint64_t t0 = now_ns();
    const std::uint64_t c0 = cpu_ns();
    alloc_.replay_chunk(*this, chunk);
    result_.replay_cpu_ns += cpu_ns() - c0;
    result_.replay_ns += now_ns() - t0;
    events = events.subspan(n);
    if (options_.progress) options_.progress(result_.events);
  }
  return !stopped();
}

bool Replayer::aligned_or_fail(std::uint64_t index, const ReplayEvent& e, const void* p,
                               std::uint64_t align) {
  if (reinterpret_cast<std::uintptr_t>(p) % align == 0) return true;
  fail(ErrorKind::misaligned, index,
       "event " + std::to_string(index) + ": " + std::string(traces::op_name(e.op())) + " of " +
           id_text(e.id()) + " returned a pointer not aligned to " + std::to_string(align) + " bytes");
  return false;
}

bool Replayer::zeroed_or_fail(std::uint64_t index, const ReplayEvent& e, const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::uint64_t k = 0; k < e.size; ++k) {
    if (b[k] == 0) continue;
    fail(ErrorKind::calloc_not_zero, index,
         "event " + std::to_string(index) + ": calloc of " + id_text(e.id()) +
             " returned memory that is not zero at offset " + std::to_string(k));
    return false;
  }
  return true;
}

// Through the virtual calls: allocators that do not instantiate the loop for
// their own type (test doubles) still replay.
void Allocator::replay_chunk(Replayer& replayer, std::span<const ReplayEvent> events) {
  replayer.run(*this, events);
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
