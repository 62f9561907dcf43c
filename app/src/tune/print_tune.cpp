// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/print_tune.hpp"

#include <algorithm>
#include <cstdio>

#include "../report/text_table.hpp"
#include "fa32/app/report/json_text.hpp"
#include "fa32/app/tune/config_code.hpp"
#include "fa32/traces/printable.hpp"

namespace fa32::app::tune {
namespace {

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string pct(double v) {
  return fixed(v * 100.0, 2) + " %";
}

std::string ns_text(const std::optional<double>& ns, bool noisy) {
  if (!ns) return "-";
  return fixed(*ns, 1) + (noisy ? " ~" : "");
}

// The rows shown: the Pareto-best candidates, then the default and the
// original, the recommendation first among them.
std::vector<std::size_t> shown(const TuneResult& r) {
  std::vector<std::size_t> rows = {r.recommended};
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    if (i != r.recommended && r.candidates[i].pareto && i > 1) rows.push_back(i);
  }
  for (std::size_t i = 0; i < r.candidates.size() && i < 2; ++i) {
    if (i != r.recommended) rows.push_back(i);
  }
  return rows;
}

// The memory figures, named alike for a trace part and for the totals.
template <class Figures>
nlohmann::json memory_json(const Figures& f) {
  return {{"footprint_vs_live", f.footprint_vs_live},
          {"internal_frag", f.internal_frag},
          {"fallback_rate", f.fallback_rate}};
}

nlohmann::json totals_json(const Totals& t) {
  nlohmann::json j = memory_json(t);
  j["ns_per_event"] = t.ns_per_event ? nlohmann::json(*t.ns_per_event) : nlohmann::json();
  j["noisy"] = t.noisy;
  return j;
}

// Trace t's holdout part, if it has one.
const PartFigures* holdout_of(const Evaluated& e, std::size_t t) {
  for (const PartFigures& p : e.holdout) {
    if (p.trace == t) return &p;
  }
  return nullptr;
}

// Trace t's tuning part, or its holdout part, if it has one.
const PartFigures* part_of(const Evaluated& e, std::size_t t, bool holdout) {
  if (holdout) return holdout_of(e, t);
  return t < e.tune.size() ? &e.tune[t] : nullptr;
}

nlohmann::json part_json(const PartFigures& p) {
  nlohmann::json j = memory_json(p);
  if (p.ns_per_event) {
    j["ns_per_event"] = {{"median", p.ns_per_event->median},
                         {"min", p.ns_per_event->min},
                         {"max", p.ns_per_event->max},
                         {"noisy", p.ns_per_event->noisy},
                         {"samples", p.ns_per_event->samples}};
  } else {
    j["ns_per_event"] = nullptr;
  }
  return j;
}

}  // namespace

void print_tune_text(std::ostream& out, const TuneReport& rep) {
  const TuneResult& r = rep.result;
  // A trace too short to hold a part back (llround(events * holdout) is
  // 0) is tuned on every event: with no such part anywhere, nothing was
  // checked, and the header must not say it was.
  const bool any_part = std::any_of(r.candidates.begin(), r.candidates.end(),
                                    [](const Evaluated& e) { return e.holdout_total.has_value(); });
  const bool hold = rep.holdout > 0 && any_part;
  out << "fa32 tune: " << rep.traces.size() << (rep.traces.size() == 1 ? " trace" : " traces")
      << ", objective " << objective_name(rep.objective) << ", " << r.candidates.size() << " candidates";
  if (rep.holdout > 0 && !any_part) {
    out << "; " << (rep.traces.size() == 1 ? "the trace is" : "the traces are")
        << " too short to hold the last " << fixed(rep.holdout * 100, 0)
        << " % back: tuned on every event, checked on none";
  } else if (hold) {
    out << "; tuned on the first " << fixed((1 - rep.holdout) * 100, 0)
        << " % of each trace's events, checked on the last " << fixed(rep.holdout * 100, 0) << " %";
  }
  out << "\n\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"",        "candidate", "ns/event", "footprint/live", "internal frag",
                                   "fallback"};
  if (hold) {
    head.push_back("holdout: footprint/live");
    head.push_back("ns/event");
  }
  rows.push_back(head);
  for (std::size_t i : shown(r)) {
    const Evaluated& e = r.candidates[i];
    std::vector<std::string> row = {i == r.recommended ? "*" : "",
                                    e.candidate.name,
                                    ns_text(e.tune_total.ns_per_event, e.tune_total.noisy),
                                    fixed(e.tune_total.footprint_vs_live, 3),
                                    pct(e.tune_total.internal_frag),
                                    pct(e.tune_total.fallback_rate)};
    if (hold) {
      row.push_back(e.holdout_total ? fixed(e.holdout_total->footprint_vs_live, 3) : "-");
      row.push_back(e.holdout_total ? ns_text(e.holdout_total->ns_per_event, e.holdout_total->noisy) : "-");
    }
    rows.push_back(row);
  }
  report::TableLayout layout;
  layout.left_columns = {0, 1};
  layout.trim = true;
  report::print_table(out, rows, layout);
  out << "\n* recommended: " << traces::printable(r.reason) << "\n";
  for (const std::string& n : r.notes) out << "  note: " << traces::printable(n) << "\n";
  out << "  (footprint/live: footprint peak / live-bytes peak, geometric mean over the traces; internal frag "
         "at the "
         "live peak; ns/event: CPU time, median of interleaved runs, ~ marks noise)\n";

  const Evaluated& best = r.candidates[r.recommended];
  const Evaluated& def = r.candidates[0];
  // With the default kept there is nothing to set beside it.
  const bool kept = r.recommended == 0;
  out << "\nPer trace, " << (kept ? std::string("the default") : best.candidate.name + " against the default")
      << " (footprint/live; ns/event where timed):\n";
  std::vector<std::vector<std::string>> per = {{"trace", "part", "default", "ns default"}};
  if (!kept) {
    per[0].push_back(best.candidate.name);
    per[0].push_back("ns " + best.candidate.name);
  }
  auto ns = [](const PartFigures& p) {
    return p.ns_per_event ? ns_text(p.ns_per_event->median, p.ns_per_event->noisy) : std::string("-");
  };
  for (std::size_t t = 0; t < rep.traces.size(); ++t) {
    for (const bool h : {false, true}) {
      const PartFigures* dp = part_of(def, t, h);
      const PartFigures* bp = part_of(best, t, h);
      if (dp == nullptr || bp == nullptr) continue;
      std::vector<std::string> row = {traces::printable(rep.traces[t]), h ? "holdout" : "tuning",
                                      fixed(dp->footprint_vs_live, 3), ns(*dp)};
      if (!kept) {
        row.push_back(fixed(bp->footprint_vs_live, 3));
        row.push_back(ns(*bp));
      }
      per.push_back(row);
    }
  }
  layout.left_columns = {0, 1};
  report::print_table(out, per, layout);

  out << "\nC:\n"
      << c_initializer(best.candidate.config) << "\nC++:\n"
      << cpp_initializer(best.candidate.config);
  out << "\nConfig file (-o FILE; fa32 replay/stats --config FILE, fa32 bench -a NAME=fa32:config=FILE):\n"
      << report::json_text(write_config_json(best.candidate.config)) << "\n";
}

nlohmann::json tune_json(const TuneReport& rep) {
  const TuneResult& r = rep.result;
  nlohmann::json j;
  j["schema"] = "fa32-tune";
  j["version"] = 1;
  j["objective"] = objective_name(rep.objective);
  j["holdout"] = rep.holdout;
  j["traces"] = rep.traces;
  j["budget_exhausted"] = r.budget_exhausted;
  j["timing_rounds"] = r.timing_rounds;
  // Seconds spent would make --objective memory differ between runs.
  if (rep.objective != Objective::memory) j["seconds"] = r.seconds;
  nlohmann::json cands = nlohmann::json::array();
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const Evaluated& e = r.candidates[i];
    nlohmann::json c;
    c["name"] = e.candidate.name;
    c["recommended"] = i == r.recommended;
    c["pareto"] = e.pareto;
    c["timed_rounds"] = e.timed_rounds;
    c["config"] = write_config_json(e.candidate.config);
    c["tuning"] = totals_json(e.tune_total);
    c["holdout"] = e.holdout_total ? totals_json(*e.holdout_total) : nlohmann::json();
    nlohmann::json per = nlohmann::json::array();
    for (std::size_t t = 0; t < e.tune.size(); ++t) {
      nlohmann::json p;
      p["trace"] = t < rep.traces.size() ? rep.traces[t] : "";
      p["tuning"] = part_json(e.tune[t]);
      const PartFigures* h = holdout_of(e, t);
      p["holdout"] = h != nullptr ? part_json(*h) : nlohmann::json();
      per.push_back(p);
    }
    c["per_trace"] = per;
    cands.push_back(c);
  }
  j["candidates"] = cands;
  const Evaluated& best = r.candidates[r.recommended];
  j["recommendation"] = {{"name", best.candidate.name},
                         {"reason", r.reason},
                         {"config", write_config_json(best.candidate.config)},
                         {"c", c_initializer(best.candidate.config)},
                         {"cpp", cpp_initializer(best.candidate.config)}};
  j["notes"] = r.notes;
  return j;
}

}  // namespace fa32::app::tune
