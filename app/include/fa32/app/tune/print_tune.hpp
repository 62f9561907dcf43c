// What `fa32 tune` prints: the table of candidates with the recommendation,
// the per-trace figures and the code to paste (text), or all of it as one
// JSON object (--format json). With --objective memory nothing printed
// depends on time, so the output is the same byte for byte on every run.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fa32/app/tune/search.hpp"

namespace fa32::app::tune {

struct TuneReport {
  Objective objective = Objective::balanced;
  double holdout = 0.3;
  double budget_seconds = 60;
  std::vector<std::string> traces;
  TuneResult result;
};

void print_tune_text(std::ostream& out, const TuneReport& report);
nlohmann::json tune_json(const TuneReport& report);

}  // namespace fa32::app::tune
