// The search's state and the helpers its two files share: search.cpp
// (evaluating, descending, timing) and recommend.cpp (choosing, checking
// on the holdout, the Pareto front). Internal to fa32 tune.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/tune/search.hpp"

namespace fa32::app::tune::detail {

using Clock = std::chrono::steady_clock;

// A candidate is recommended when it makes one figure this much better than
// the default's and the other at most kTolerance worse: a smaller change is
// within what another run, or another input, moves, and not worth a config.
inline constexpr double kGain = 0.05;
inline constexpr double kTolerance = 0.03;
// At most this many candidates enter the first timed round.
inline constexpr std::size_t kMaxFinalists = 8;
// Simulations the class refinement may run per trace: a few seconds on a
// trace of millions of events, and a count, so the answer never depends on
// the machine's speed.
inline constexpr std::size_t kRefinePasses = 400;

inline double geomean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += std::log(std::max(x, 1e-12));
  return std::exp(s / double(v.size()));
}

inline Totals totals_of(const std::vector<PartFigures>& parts) {
  Totals t;
  std::vector<double> fp, ns;
  bool all_timed = !parts.empty();
  for (const PartFigures& p : parts) {
    fp.push_back(p.footprint_vs_live);
    t.internal_frag += p.internal_frag / double(parts.size());
    t.fallback_rate = std::max(t.fallback_rate, p.fallback_rate);
    if (p.ns_per_event) {
      ns.push_back(p.ns_per_event->median);
      t.noisy = t.noisy || p.ns_per_event->noisy;
    } else {
      all_timed = false;
    }
  }
  t.footprint_vs_live = geomean(fp);
  if (all_timed) t.ns_per_event = geomean(ns);
  return t;
}

// Lexicographic, with a relative tolerance so float noise in a geometric
// mean never decides.
inline int compare(double a, double b) {
  const double eps = 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
  return a < b - eps ? -1 : (a > b + eps ? 1 : 0);
}

inline bool memory_better(const Totals& a, const Totals& b) {
  if (int c = compare(a.footprint_vs_live, b.footprint_vs_live)) return c < 0;
  if (int c = compare(a.internal_frag, b.internal_frag)) return c < 0;
  return compare(a.fallback_rate, b.fallback_rate) < 0;
}

inline std::string percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f %%", (ratio - 1.0) * 100.0);
  return buf;
}

class Search {
 public:
  Search(const std::vector<TraceInput>& traces, const TuneOptions& options)
      : traces_(traces), o_(options), start_(Clock::now()) {
    for (const TraceInput& t : traces_) {
      profiles_.push_back(t.profile);
      events_ += t.tune.size() + t.holdout.size();
    }
  }

  TuneResult run();

 private:
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  bool fits(double seconds) const { return elapsed() + seconds <= o_.budget_seconds; }
  void tick() {
    ++done_;
    if (o_.progress) o_.progress(done_, std::max(done_, planned_));
  }
  // Index of the candidate in result_, evaluating it if new; nullopt if it
  // failed a check (noted).
  std::optional<std::size_t> evaluate(const Candidate& c);
  bool allowed(std::size_t i) const;
  void descend();
  void add_refined_classes(Axes& axes, std::uint64_t alignment);
  void time_finalists();
  void recommend();
  std::string gains(std::size_t i) const;
  void check_holdout();
  void mark_pareto();

  const std::vector<TraceInput>& traces_;
  const TuneOptions& o_;
  Clock::time_point start_;
  std::vector<TraceProfile> profiles_;
  std::uint64_t events_ = 0;
  std::uint64_t done_ = 0, planned_ = 0;
  double eval_seconds_ = 0;     // one candidate's memory figures on every trace
  double per_event_timed_ = 0;  // seconds per timed replayed event, once measured
  std::size_t memory_best_ = 0;
  std::optional<std::size_t> original_;
  std::optional<std::size_t> runner_up_;  // the closest candidate when the default is kept
  std::vector<std::size_t> finalists_;
  TuneResult result_;
};

}  // namespace fa32::app::tune::detail
