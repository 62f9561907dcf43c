// The replay engine: calls the allocator for every event, keeps ids -> pointers
// in a mapped id table (dense for ordinary ids, hashed for sparse ones), and
// measures as it goes.
//
//   LoadedTrace t = load_events("trace.fa32");      // decode once, off the clock
//   auto a = make_fastalloc32(settings);
//   ReplayResult r = replay(t.events.span(), *a, options);   // timed
//
// or, with memory flat in the trace length, replay_stream(reader, *a, options).
// Use a fresh allocator per replay: the fastalloc32 counters in the result
// are the manager's whole life. The id table is sized from options.id_bound
// (load_events gives max_id + 1) so the timed loop never grows it, when the
// bound is in proportion to options.expected_events. The Replayer frees
// whatever is still live when it is destroyed.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>

#include "fa32/app/replay/allocator.hpp"
#include "fa32/app/replay/id_table.hpp"
#include "fa32/app/replay/mapped_array.hpp"
#include "fa32/app/replay/options.hpp"
#include "fa32/app/replay/replay_event.hpp"
#include "fa32/app/replay/result.hpp"
#include "fa32/app/replay/snapshots.hpp"
#include "fa32/app/replay/timeline.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::app::replay {

namespace detail {
template <class A>
class ReplayLoop;
}

class Replayer {
 public:
  Replayer(Allocator& allocator, const ReplayOptions& options);
  // Frees every block still live (unless a corruption was found), so the
  // allocator can be reused or destroyed cleanly.
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  // Replays events; their indices continue from events_done(). Returns false
  // once an error stopped the replay (later calls do nothing).
  bool feed(std::span<const ReplayEvent> events);
  std::uint64_t events_done() const { return result_.events; }
  bool stopped() const { return result_.error.has_value(); }
  // Whether this replay samples the allocator at its peaks (a probe, not a
  // timed replay).
  bool samples_peaks() const { return options_.sample_peaks; }
  // The figures so far (final ones come from finish()).
  const ReplayResult& progress() const { return result_; }

  // End-of-replay checks and figures (leaks, final samples). Call once.
  ReplayResult finish();

  // Replays one chunk through a, inlining a's calls when A is a final class.
  // Called by Allocator::replay_chunk; defined in the private replay_loop.hpp.
  template <class A>
  void run(A& a, std::span<const ReplayEvent> events);

 private:
  template <class A>
  friend class detail::ReplayLoop;
  bool invalid(std::uint64_t index, const ReplayEvent& e, const char* what, std::uint64_t& counter);
  // A request the memory limit refuses: counted, and described once.
  void refuse(std::uint64_t index, const ReplayEvent& e, std::uint64_t live_bytes);
  // The same for an allocation, whose id s is then marked failed.
  void refuse_alloc(std::uint64_t index, const ReplayEvent& e, std::uint64_t live_bytes, Slot& s);
  // The slot of an allocated id beyond the dense table's end.
  Slot& far_slot(std::uint64_t id, std::uint64_t index);
  // A free/realloc of an id that is not live (s: its slot, or nullptr or an
  // unused slot for an id never seen). Returns false when the replay must stop.
  bool not_live(std::uint64_t index, const ReplayEvent& e, Slot* s);
  void fail(ErrorKind kind, std::uint64_t index, std::string message);
  void sample_peak();
  // The snapshot due at events_done (snapshots_.next()).
  void take_snapshot(std::uint64_t events_done);
  // timeline.cpp: the automatic memory-over-time points.
  void sample_timeline(std::uint64_t events_done);
  // The points, peak and end included; takes the sampling time out of
  // the replay's timing.
  std::vector<TimelinePoint> finish_timeline();
  bool verify_block(std::uint64_t index, std::uint64_t id, const Slot& s, std::uint64_t bytes,
                    const char* when);
  // --verify of a new block: false (and the replay stops) when it fails.
  bool aligned_or_fail(std::uint64_t index, const ReplayEvent& e, const void* p, std::uint64_t align);
  bool zeroed_or_fail(std::uint64_t index, const ReplayEvent& e, const void* p);
  void release_live();

  Allocator& alloc_;
  ReplayOptions options_;
  IdTable ids_;
  SnapshotStore snapshots_;
  TimelineSampler timeline_;
  std::uint64_t timeline_wall_ns_ = 0;  // spent sampling the timeline inside the timed loop
  std::uint64_t timeline_cpu_ns_ = 0;
  ReplayResult result_;
  std::uint64_t last_alloc_index_plus1_ = 0;  // for temporary allocations
  std::uint64_t last_alloc_id_ = 0;
  bool peak_pending_ = false;
  bool finished_ = false;
};

// Replays events (already in memory) through allocator. Only the loop is timed.
ReplayResult replay(std::span<const ReplayEvent> events, Allocator& allocator, const ReplayOptions& options);
// Streams a trace through allocator in fixed-size chunks: memory stays flat.
// Throws traces::TraceError on malformed input. Decoding is not timed.
ReplayResult replay_stream(traces::TraceReader& reader, Allocator& allocator, const ReplayOptions& options);

// The byte pattern --verify writes into block id.
void fill_pattern(void* p, std::uint64_t bytes, std::uint64_t id);
// Offset of the first byte that differs from the pattern, or bytes if none.
std::uint64_t check_pattern(const void* p, std::uint64_t bytes, std::uint64_t id);

}  // namespace fa32::app::replay
