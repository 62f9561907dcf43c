// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "fa32/app/cli.hpp"
#include "fa32/app/tune/class_search.hpp"
#include "fa32/app/tune/measure.hpp"

namespace fa32::app::tune {
namespace {

using Clock = std::chrono::steady_clock;

// A candidate is recommended when it makes one figure this much better than
// the default's and the other at most kTolerance worse: a smaller change is
// within what another run, or another input, moves, and not worth a config.
constexpr double kGain = 0.05;
constexpr double kTolerance = 0.03;
// At most this many candidates enter the first timed round.
constexpr std::size_t kMaxFinalists = 8;
// Simulations the class refinement may run per trace: a few seconds on a
// trace of millions of events, and a count, so the answer never depends on
// the machine's speed.
constexpr std::size_t kRefinePasses = 400;

double geomean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += std::log(std::max(x, 1e-12));
  return std::exp(s / double(v.size()));
}

Totals totals_of(const std::vector<PartFigures>& parts) {
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
int compare(double a, double b) {
  const double eps = 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
  return a < b - eps ? -1 : (a > b + eps ? 1 : 0);
}

bool memory_better(const Totals& a, const Totals& b) {
  if (int c = compare(a.footprint_vs_live, b.footprint_vs_live)) return c < 0;
  if (int c = compare(a.internal_frag, b.internal_frag)) return c < 0;
  return compare(a.fallback_rate, b.fallback_rate) < 0;
}

std::string percent(double ratio) {
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
  void add_refined_classes(Axes& axes, std::uint64_t alignment) const;
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

std::optional<std::size_t> Search::evaluate(const Candidate& c) {
  for (std::size_t i = 0; i < result_.candidates.size(); ++i) {
    if (same_config(result_.candidates[i].candidate.config, c.config)) return i;
  }
  Evaluated e;
  e.candidate = c;
  for (const TraceInput& t : traces_) {
    for (const bool hold : {false, true}) {
      const replay::EventArray& part = hold ? t.holdout : t.tune;
      if (hold && part.empty()) continue;
      std::string problem;
      const auto f = measure_memory(c.config, part.span(), t.id_bound, o_.memory_limit, problem);
      tick();
      if (!f) {
        if (result_.candidates.empty()) {
          throw InputError(t.name + ": the default configuration cannot replay the trace: " + problem);
        }
        result_.notes.push_back(c.name + " dropped: " + t.name + (hold ? " (holdout)" : "") + ": " + problem);
        return std::nullopt;
      }
      PartFigures p;
      p.footprint_vs_live = f->footprint_vs_live;
      p.internal_frag = f->internal_frag;
      p.fallback_rate = f->fallback_rate;
      (hold ? e.holdout : e.tune).push_back(p);
    }
  }
  e.tune_total = totals_of(e.tune);
  if (!e.holdout.empty()) e.holdout_total = totals_of(e.holdout);
  result_.candidates.push_back(std::move(e));
  return result_.candidates.size() - 1;
}

// Never recommend a config that sends more of any trace to the system malloc
// than the default: that is a failure of the pools, whatever it saves.
bool Search::allowed(std::size_t i) const {
  const Evaluated& e = result_.candidates[i];
  const Evaluated& d = result_.candidates[0];
  for (std::size_t t = 0; t < e.tune.size(); ++t) {
    if (e.tune[t].fallback_rate > d.tune[t].fallback_rate + 1e-12) return false;
  }
  return true;
}

// Each first fit of 16 classes, refined on the traces' own allocations and
// frees (class_search.hpp), as one more class set.
void Search::add_refined_classes(Axes& axes, std::uint64_t alignment) const {
  const std::size_t fitted = axes.classes.size();
  for (std::size_t k = 0; k < fitted; ++k) {
    const ClassSet& start = axes.classes[k];
    if (start.name.rfind("fit16-live", 0) != 0) continue;
    std::vector<SizeStream> streams;
    for (const TraceInput& t : traces_)
      streams.push_back(size_stream(t.tune.span(), start.sizes.back(), alignment));
    std::vector<std::uint64_t> refined =
        refine_classes(streams, start.sizes, FASTALLOC32_MAX_CLASSES, kRefinePasses * traces_.size());
    if (refined == start.sizes) continue;
    bool known = false;
    for (const ClassSet& c : axes.classes) known = known || c.sizes == refined;
    if (known) continue;
    std::string name =
        "sim" + std::to_string(refined.size()) + start.name.substr(std::string("fit16-live").size());
    axes.classes.push_back({std::move(name), std::move(refined)});
  }
}

void Search::descend() {
  const fastalloc32_config base = result_.candidates[0].candidate.config;
  Axes axes = derive_axes(profiles_, base);
  add_refined_classes(axes, base.alignment);
  const std::size_t counts[] = {axes.classes.size(), axes.pools.size(), axes.caches.size(),
                                axes.larges.size()};
  std::size_t parts = 0;
  for (const TraceInput& t : traces_) parts += t.holdout.empty() ? 1 : 2;
  for (std::size_t n : counts) planned_ += n * parts;
  std::size_t cur[4] = {0, 0, 0, 0};
  auto build = [&](const std::size_t(&at)[4]) {
    return make_candidate(base, profiles_, axes.classes[at[0]], axes.pools[at[1]], axes.caches[at[2]],
                          axes.larges[at[3]]);
  };
  memory_best_ = 0;
  for (int axis = 0; axis < 4; ++axis) {
    const double round = eval_seconds_ * double(counts[axis]);
    if (!fits(round)) {
      result_.budget_exhausted = true;
      char buf[240];
      if (axis == 0) {
        std::snprintf(buf, sizeof buf,
                      "--budget %g s is too small for one round of the search (about %.3g s more); the best "
                      "so far, the default, is reported",
                      o_.budget_seconds, round);
      } else {
        std::snprintf(buf, sizeof buf,
                      "--budget %g s ran out during the search (the next round takes about %.3g s); the best "
                      "so far is reported",
                      o_.budget_seconds, round);
      }
      result_.notes.push_back(buf);
      return;
    }
    std::size_t best_at = cur[axis];
    std::optional<std::size_t> best = evaluate(build(cur));
    for (std::size_t v = 0; v < counts[axis]; ++v) {
      std::size_t at[4] = {cur[0], cur[1], cur[2], cur[3]};
      at[axis] = v;
      const auto i = evaluate(build(at));
      if (!i || !allowed(*i)) continue;
      if (!best || !allowed(*best) ||
          memory_better(result_.candidates[*i].tune_total, result_.candidates[*best].tune_total)) {
        best = i;
        best_at = v;
      }
    }
    cur[axis] = best_at;
    if (best && allowed(*best)) memory_best_ = *best;
    // The runner-up class sets are timed too: a set a little larger in
    // memory may be faster.
    if (axis == 0) {
      std::vector<std::size_t> sets;
      for (std::size_t v = 0; v < counts[0]; ++v) {
        std::size_t at[4] = {v, 0, 0, 0};
        if (const auto i = evaluate(build(at)); i && allowed(*i)) sets.push_back(*i);
      }
      std::stable_sort(sets.begin(), sets.end(), [&](std::size_t a, std::size_t b) {
        return memory_better(result_.candidates[a].tune_total, result_.candidates[b].tune_total);
      });
      for (std::size_t k = 0; k < sets.size() && k < 3; ++k) finalists_.push_back(sets[k]);
    }
    // Every value of the speed-only axes on the chosen classes.
    if (axis == 1 || axis == 2) {
      for (std::size_t v = 0; v < counts[axis]; ++v) {
        std::size_t at[4] = {cur[0], cur[1], cur[2], cur[3]};
        at[axis] = v;
        if (const auto i = evaluate(build(at)); i && allowed(*i)) finalists_.push_back(*i);
      }
    }
  }
  finalists_.push_back(memory_best_);
}

void Search::time_finalists() {
  std::vector<std::size_t> alive = {0};
  if (original_) alive.push_back(*original_);
  for (std::size_t i : finalists_) {
    if (std::find(alive.begin(), alive.end(), i) == alive.end() && alive.size() < kMaxFinalists)
      alive.push_back(i);
  }
  std::uint64_t tune_events = 0;
  for (const TraceInput& t : traces_) tune_events += t.tune.size();
  // A timed replay writes into the blocks and so costs more than a memory
  // one: twice is the estimate until a timed round has measured it.
  double per_event = events_ == 0 ? 0 : 2.0 * eval_seconds_ / double(events_);
  int runs = 3;
  for (;;) {
    const double round = per_event * double(tune_events) * double(alive.size()) * double(runs + 1);
    if (!fits(round)) {
      result_.budget_exhausted = true;
      char buf[200];
      std::snprintf(buf, sizeof buf, "--budget %g s ran out before timing round %d (about %.1f s)%s",
                    o_.budget_seconds, result_.timing_rounds + 1, round,
                    result_.timing_rounds == 0 ? "; nothing was timed, the choice is by memory alone" : "");
      result_.notes.push_back(buf);
      return;
    }
    planned_ += std::uint64_t(traces_.size()) * alive.size() * std::uint64_t(runs + 1);
    const double round_start = elapsed();
    std::vector<fastalloc32_config> configs;
    for (std::size_t i : alive) configs.push_back(result_.candidates[i].candidate.config);
    for (std::size_t t = 0; t < traces_.size(); ++t) {
      const auto s = time_configs(configs, traces_[t].tune.span(), traces_[t].id_bound, o_.memory_limit, runs,
                                  o_.seed, [this] { tick(); });
      for (std::size_t k = 0; k < alive.size(); ++k) result_.candidates[alive[k]].tune[t].ns_per_event = s[k];
    }
    ++result_.timing_rounds;
    per_event = (elapsed() - round_start) / (double(tune_events) * double(alive.size()) * double(runs + 1));
    per_event_timed_ = per_event;
    for (std::size_t i : alive) {
      Evaluated& e = result_.candidates[i];
      e.tune_total = totals_of(e.tune);
      e.timed_rounds = result_.timing_rounds;
    }
    if (alive.size() <= 2) return;
    const Totals& d = result_.candidates[0].tune_total;
    auto score = [&](std::size_t i) {
      const Totals& t = result_.candidates[i].tune_total;
      const double speed = *t.ns_per_event / *d.ns_per_event;
      return o_.objective == Objective::speed ? speed : speed * t.footprint_vs_live / d.footprint_vs_live;
    };
    std::vector<std::size_t> rest(alive.begin() + 1, alive.end());
    std::stable_sort(rest.begin(), rest.end(),
                     [&](std::size_t a, std::size_t b) { return score(a) < score(b); });
    rest.resize((rest.size() + 1) / 2);
    alive = {0};
    alive.insert(alive.end(), rest.begin(), rest.end());
    runs *= 2;
  }
}

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
    const bool clears = !timed                             ? fp <= 1 - kGain
                        : o_.objective == Objective::speed ? sp <= 1 - kGain && fp <= 1 + kTolerance
                                                           : (fp <= 1 - kGain && sp <= 1 + kTolerance) ||
                                                                 (sp <= 1 - kGain && fp <= 1 + kTolerance);
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
  if (!best) {
    result_.recommended = 0;
    std::string why =
        std::string("the default is already the best for ") +
        (traces_.size() == 1 ? "this trace" : "these traces") + ": no candidate is 5 % better in " +
        (!timed                             ? "footprint"
         : o_.objective == Objective::speed ? "ns/event without being 3 % worse in footprint"
                                            : "ns/event or footprint without being 3 % worse in the "
                                              "other");
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
      for (std::size_t t = 0; t < traces_.size(); ++t) {
        const auto s = time_configs(configs, traces_[t].holdout.span(), traces_[t].id_bound, o_.memory_limit,
                                    runs, o_.seed, [this] { tick(); });
        c[0].holdout[t].ns_per_event = s[0];
        c[r].holdout[t].ns_per_event = s[1];
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
      // j dominates i; a same-figure twin does not (both stay).
      if (no_worse && better) c[i].pareto = false;
    }
  }
}

TuneResult Search::run() {
  evaluate(preset_candidate("default"));
  eval_seconds_ = elapsed();
  original_ = evaluate(preset_candidate("original"));
  descend();
  if (o_.objective != Objective::memory && !result_.budget_exhausted) time_finalists();
  recommend();
  check_holdout();
  mark_pareto();
  result_.seconds = elapsed();
  return std::move(result_);
}

}  // namespace

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::speed:
      return "speed";
    case Objective::memory:
      return "memory";
    case Objective::balanced:
      return "balanced";
  }
  return "balanced";
}

TuneResult run_search(const std::vector<TraceInput>& traces, const TuneOptions& options) {
  Search s(traces, options);
  return s.run();
}

}  // namespace fa32::app::tune
