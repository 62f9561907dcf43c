// The rows of the allocator's own counters and gauges (FASTALLOC32_COUNTERS /
// FASTALLOC32_GAUGES in fastalloc32.h): which report section each goes in, and
// its key and label, which are older than the X-macro names and kept as they are.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "fa32/app/report/report.hpp"
#include "fastalloc32.h"

namespace fa32::app::report {

enum class CounterSection {
  pool,         // after the invalid-event rows: pool, large and fallback paths
  realloc,      // after the replay's own realloc rows: realloc paths, invalid frees
  not_reported  // a counter the report does not show (it says so explicitly)
};

// Which number of a counter or gauge a row shows.
enum class CounterField { count, gauge_total, gauge_peak };

struct CounterRow {
  std::string_view name;  // X-macro name; empty for a derived ratio row
  CounterField field;
  CounterSection section;
  Figure::Kind kind;  // integer, bytes or ratio
  std::string_view key;
  std::string_view label;
  std::optional<double> Report::*ratio = nullptr;  // the value of a derived ratio row
};

// Every row in report order, with one entry for each X-macro counter and gauge.
std::span<const CounterRow> counter_rows();

// The X-macro names, in the header's order.
std::span<const std::string_view> counter_names();
std::span<const std::string_view> gauge_names();

// The value a counter row shows; nullopt if its name is no counter or gauge.
std::optional<std::uint64_t> counter_value(const fastalloc32_stats& s, const CounterRow& row);

}  // namespace fa32::app::report
