// Report printers, one small file each, chosen by one switch.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/app/report/report.hpp"

namespace fa32::app::report {

enum class ReportFormat { text, json, csv, markdown, html };
std::optional<ReportFormat> report_format_from_name(std::string_view name);

struct PrintOptions {
  bool color = false;  // text only: ANSI colours
};

// One report, or several side by side (an array in JSON).
void print_reports(std::ostream& out, std::span<const Report> reports, ReportFormat format,
                   const PrintOptions& options);

void print_text(std::ostream& out, std::span<const Report> reports, const PrintOptions& options);
void print_json(std::ostream& out, std::span<const Report> reports);
void print_csv(std::ostream& out, std::span<const Report> reports);
void print_markdown(std::ostream& out, std::span<const Report> reports);
// One self-contained page with inline SVG charts (print_html.cpp).
void print_html(std::ostream& out, std::span<const Report> reports);

// Shared by the printers.
// Figures of several reports side by side: one row per figure key (in order
// of first appearance), one column per report; where a report lacks it,
// "-" for people and "" otherwise.
struct FigureTable {
  std::vector<std::string> keys;
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> cells;  // [row][report]
};
FigureTable side_by_side(std::span<const Report> reports, bool for_people);
std::string format_value(const Figure& f, bool for_people);
// The figure as --format json writes it (a ratio or time in full, not the
// 6 significant digits of format_value), for the HTML page's data-value;
// "" for null, as format_value.
std::string json_value_text(const Figure& f);
std::string human_bytes(std::uint64_t bytes);

}  // namespace fa32::app::report
