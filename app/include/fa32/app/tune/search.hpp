// The search of `fa32 tune`: replays candidates, measures them, and chooses.
//
// Memory figures (footprint peak / live peak, internal fragmentation,
// fallback rate) come from one replay per candidate and trace part and are
// deterministic. The settings are chosen one axis at a time (classes, pool
// chunk, cache, large path: coordinate descent) by those figures. With the
// speed or balanced objective the best of them, the default and the
// original are then timed in rounds of successive halving: every survivor
// replayed in interleaved order, repeated, the median taken and noise
// flagged as `fa32 bench` does (bench/schedule.hpp, bench/summary.hpp);
// the worse half dropped, the runs doubled.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/bench/summary.hpp"
#include "fa32/app/replay/replay_event.hpp"
#include "fa32/app/tune/candidates.hpp"
#include "fa32/app/tune/trace_profile.hpp"

namespace fa32::app::tune {

enum class Objective { speed, memory, balanced };
const char* objective_name(Objective o);

struct TraceInput {
  std::string name;
  replay::EventArray tune;     // what the choice is made on
  replay::EventArray holdout;  // what it is checked on (may be empty)
  std::uint64_t id_bound = 0;  // largest id + 1
  TraceProfile profile;        // of the tuning part
};

// One candidate on one part of one trace.
struct PartFigures {
  double footprint_vs_live = 0;                // footprint peak / live-bytes peak
  double internal_frag = 0;                    // at the live peak: (reserved - requested) / reserved
  double fallback_rate = 0;                    // small requests sent to the system malloc / all requests
  std::optional<bench::Summary> ns_per_event;  // when timed
  std::size_t trace = 0;                       // the trace's index among the inputs
};

// Over the traces: geometric means of the ratios and of ns/event, the
// arithmetic mean of the fragmentation and the largest fallback rate.
struct Totals {
  double footprint_vs_live = 0;
  double internal_frag = 0;
  double fallback_rate = 0;
  std::optional<double> ns_per_event;
  bool noisy = false;  // some trace's timing was noisy
};

struct Evaluated {
  Candidate candidate;
  std::vector<PartFigures> tune;  // per trace
  // Per trace with a holdout part, in the traces' order: a trace too short
  // for one (llround(events * share) is 0) has none, so holdout[k] need not
  // be trace k's; its `trace` says whose it is.
  std::vector<PartFigures> holdout;
  Totals tune_total;
  std::optional<Totals> holdout_total;
  int timed_rounds = 0;  // successive-halving rounds it survived into
  bool pareto = false;   // no other candidate is at least as good in every figure and better in one
};

struct TuneOptions {
  Objective objective = Objective::balanced;
  double budget_seconds = 60;
  std::uint64_t seed = 1;  // rotates the order of the timed runs
  std::uint64_t memory_limit = UINT64_MAX;
  // Called as replays finish: (done, an estimate of the total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct TuneResult {
  std::vector<Evaluated> candidates;  // [0] the default, [1] the original, then in the order tried
  std::size_t recommended = 0;        // index into candidates
  std::string reason;                 // one line
  std::vector<std::string> notes;     // holdout disagreements, budget, noise
  bool budget_exhausted = false;
  int timing_rounds = 0;
  double seconds = 0;
};

// Throws InputError when a candidate fails its checks on a trace
// (fastalloc32_check, a failed allocation) and it is the default: the
// trace cannot be replayed at all. Other failing candidates are dropped
// with a note.
TuneResult run_search(const std::vector<TraceInput>& traces, const TuneOptions& options);

}  // namespace fa32::app::tune
