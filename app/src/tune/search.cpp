// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "fa32/app/cli.hpp"
#include "fa32/app/tune/class_search.hpp"
#include "fa32/app/tune/measure.hpp"
#include "search_impl.hpp"

namespace fa32::app::tune::detail {

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
      p.trace = static_cast<std::size_t>(&t - traces_.data());
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
// frees (class_search.hpp), as one more class set. The refinement is part
// of the search and keeps to its budget: it runs only when its simulations
// and then the first round (the class sets) fit in what is left.
void Search::add_refined_classes(Axes& axes, std::uint64_t alignment) {
  const std::size_t fitted = axes.classes.size();
  for (std::size_t k = 0; k < fitted; ++k) {
    const ClassSet& start = axes.classes[k];
    if (start.name.rfind("fit16-live", 0) != 0) continue;
    std::vector<SizeStream> streams;
    for (const TraceInput& t : traces_)
      streams.push_back(size_stream(t.tune.span(), start.sizes.back(), alignment));
    // One simulation of every trace, timed: the refinement runs up to
    // kRefinePasses of them.
    const double sim_start = elapsed();
    for (const SizeStream& s : streams) (void)pool_footprint(s, start.sizes);
    const double refine = (elapsed() - sim_start) * double(kRefinePasses);
    const double first_round = eval_seconds_ * double(axes.classes.size() + 1);
    if (!fits(refine + first_round)) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "--budget %g s left no time to refine %s by simulating it on the traces (about %.3g s)",
                    o_.budget_seconds, start.name.c_str(), refine);
      result_.notes.push_back(buf);
      continue;
    }
    std::vector<std::uint64_t> refined = refine_classes(
        streams, start.sizes, static_cast<unsigned>(start.sizes.size()), kRefinePasses * traces_.size());
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
                      "so far is reported",
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
                    result_.timing_rounds == 0 ? "; nothing was timed, so the default is kept" : "");
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

}  // namespace fa32::app::tune::detail

namespace fa32::app::tune {

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
  detail::Search s(traces, options);
  return s.run();
}

}  // namespace fa32::app::tune