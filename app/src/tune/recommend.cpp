// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <cstdio>

#include "fa32/app/tune/measure.hpp"
#include "search_impl.hpp"

namespace fa32::app::tune::detail {

std::string Search::gains(std::size_t i) const {
  const Totals& t = result_.candidates[i].tune_total;
  const Totals& d = result_.candidates[0].tune_total;
  std::string out = "footprint/live " + percent(t.footprint_vs_live / d.footprint_vs_live);
  if (t.ns_per_event && d.ns_per_event) out += ", ns/event " + percent(*t.ns_per_event / *d.ns_per_event);
  return out;
}

void Search::recommend() {
  auto& c = result_.candidates;
  const Totals& d = c[0].tune_total;
  const bool timed = o_.objective != Objective::memory && result_.timing_rounds > 0;
  std::optional<std::size_t> best, closest;
  double best_score = 0, closest_score = 0;
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (!allowed(i)) continue;
    const Totals& t = c[i].tune_total;
    const double fp = t.footprint_vs_live / d.footprint_vs_live;
    double sp = 1.0;
    if (timed) {
      if (c[i].timed_rounds != result_.timing_rounds || !t.ns_per_event) continue;
      sp = *t.ns_per_event / *d.ns_per_event;
    }
    const double score = !timed ? fp : o_.objective == Objective::speed ? sp : sp * fp;
    // A speed gain counts only when neither timing was flagged noisy: a
    // spread above 10 % can hide a 5 % difference.
    const bool quiet = !t.noisy && !d.noisy;
    const bool clears =
        !timed ? fp <= 1 - kGain
        : o_.objective == Objective::speed
            ? quiet && sp <= 1 - kGain && fp <= 1 + kTolerance
            : (fp <= 1 - kGain && sp <= 1 + kTolerance) || (quiet && sp <= 1 - kGain && fp <= 1 + kTolerance);
    auto better = [&](std::optional<std::size_t> than, double than_score) {
      if (!than) return true;
      const int cmp = compare(score, than_score);
      return cmp < 0 || (!timed && cmp == 0 && memory_better(t, c[*than].tune_total));
    };
    if (better(closest, closest_score)) {
      closest = i;
      closest_score = score;
    }
    if (clears && better(best, best_score)) {
      best = i;
      best_score = score;
    }
  }
  // Speed and balanced promise a timed choice: without one (the budget ran
  // out first) the default stays, whatever the footprint says.
  if (best && o_.objective != Objective::memory && !timed) {
    result_.recommended = 0;
    result_.reason =
        "the budget left no time to time the candidates, so the default is kept (the best by "
        "footprint so far, " +
        c[*best].candidate.name + ": " + gains(*best) + "; give a larger --budget)";
    runner_up_ = best;
    return;
  }
  if (!best) {
    result_.recommended = 0;
    std::string why = std::string("the default is already the best for ") +
                      (traces_.size() == 1 ? "this trace" : "these traces") +
                      ": no candidate is 5 % better in " +
                      (!timed ? "footprint"
                       : o_.objective == Objective::speed
                           ? "ns/event (timed without noise) without being 3 % worse in footprint"
                           : "ns/event (timed without noise) or footprint without being 3 % "
                             "worse in the other");
    if (closest) why += " (the closest, " + c[*closest].candidate.name + ": " + gains(*closest) + ")";
    result_.reason = why;
    runner_up_ = closest;
    return;
  }
  result_.recommended = *best;
  std::string why = c[*best].candidate.name + ": " + gains(*best) + " against the default on the tuning part";
  if (!timed) why += " (chosen by memory; not timed)";
  result_.reason = why;
  const Totals& t = c[*best].tune_total;
  if (t.noisy || d.noisy)
    result_.notes.push_back(
        "some timings were noisy (spread above 10 %): re-run on a quieter machine to be sure");
}

void Search::check_holdout() {
  auto& c = result_.candidates;
  const bool kept = result_.recommended == 0;
  if (kept && !runner_up_) return;
  // When the default is kept, its closest rival is checked instead: a gain
  // the tuning part hides (its peak may lie in the holdout) is worth saying.
  const std::size_t r = kept ? *runner_up_ : result_.recommended;
  if (!c[0].holdout_total || !c[r].holdout_total) return;
  const bool timed = o_.objective != Objective::memory && result_.timing_rounds > 0;
  if (timed && !kept) {
    const double per_event = per_event_timed_;
    std::uint64_t n = 0;
    for (const TraceInput& t : traces_) n += t.holdout.size();
    const int runs = 5;
    if (fits(per_event * double(n) * 2 * (runs + 1))) {
      const std::vector<fastalloc32_config> configs = {c[0].candidate.config, c[r].candidate.config};
      // Every candidate has the same traces' holdout parts, in the same order.
      for (std::size_t k = 0; k < c[0].holdout.size(); ++k) {
        const TraceInput& t = traces_[c[0].holdout[k].trace];
        const auto s = time_configs(configs, t.holdout.span(), t.id_bound, o_.memory_limit, runs, o_.seed,
                                    [this] { tick(); });
        c[0].holdout[k].ns_per_event = s[0];
        c[r].holdout[k].ns_per_event = s[1];
      }
      c[0].holdout_total = totals_of(c[0].holdout);
      c[r].holdout_total = totals_of(c[r].holdout);
    } else {
      result_.notes.push_back("the holdout was not timed: the budget ran out");
    }
  }
  auto verdict = [&](const char* what, double tune_ratio, double hold_ratio) {
    // Disagree: the holdout loses what tuning won, or keeps less than half
    // of it; for a candidate not recommended, the holdout shows the gain
    // the tuning part did not.
    const bool agree = kept              ? !(hold_ratio <= 1 - kGain && tune_ratio > 1 - kGain)
                       : tune_ratio >= 1 ? hold_ratio >= 1
                                         : (hold_ratio < 1 && (1 - hold_ratio) * 2 >= 1 - tune_ratio);
    std::string line = c[r].candidate.name + ": " + what + " " + percent(tune_ratio) +
                       " on the tuning part, " + percent(hold_ratio) +
                       " on the holdout: " + (agree ? "they agree" : "they disagree");
    if (!agree && kept)
      line += " (the tuning part may miss the trace's peak: --holdout 0 tunes on all of it)";
    result_.notes.push_back(line);
    if (!agree && result_.reason.find("holdout disagrees") == std::string::npos)
      result_.reason += "; the holdout disagrees";
  };
  const Totals& dt = c[0].tune_total;
  const Totals& rt = c[r].tune_total;
  const Totals& dh = *c[0].holdout_total;
  const Totals& rh = *c[r].holdout_total;
  verdict("footprint/live", rt.footprint_vs_live / dt.footprint_vs_live,
          rh.footprint_vs_live / dh.footprint_vs_live);
  if (rt.ns_per_event && dt.ns_per_event && rh.ns_per_event && dh.ns_per_event)
    verdict("ns/event", *rt.ns_per_event / *dt.ns_per_event, *rh.ns_per_event / *dh.ns_per_event);
}

void Search::mark_pareto() {
  auto& c = result_.candidates;
  auto figures = [](const Totals& t) {
    return std::vector<double>{t.footprint_vs_live, t.internal_frag, t.fallback_rate};
  };
  for (std::size_t i = 0; i < c.size(); ++i) {
    c[i].pareto = true;
    for (std::size_t j = 0; j < c.size() && c[i].pareto; ++j) {
      if (i == j) continue;
      std::vector<double> a = figures(c[j].tune_total), b = figures(c[i].tune_total);
      // Time counts only where both were timed in the same round.
      if (c[i].timed_rounds != 0 && c[i].timed_rounds == c[j].timed_rounds) {
        a.push_back(*c[j].tune_total.ns_per_event);
        b.push_back(*c[i].tune_total.ns_per_event);
      }
      bool no_worse = true, better = false;
      for (std::size_t k = 0; k < a.size(); ++k) {
        const int cmp = compare(a[k], b[k]);
        if (cmp > 0) no_worse = false;
        if (cmp < 0) better = true;
      }
      // j dominates i; of twins with the same figures (a setting that
      // changed nothing measured), the first tried stands for them.
      if (no_worse && (better || j < i)) c[i].pareto = false;
    }
  }
}

}  // namespace fa32::app::tune::detail
