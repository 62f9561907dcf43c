// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/report/printers.hpp"

namespace fa32::app::report {

std::optional<ReportFormat> report_format_from_name(std::string_view name) {
  if (name == "text") return ReportFormat::text;
  if (name == "json") return ReportFormat::json;
  if (name == "csv") return ReportFormat::csv;
  if (name == "markdown" || name == "md") return ReportFormat::markdown;
  if (name == "html") return ReportFormat::html;
  return std::nullopt;
}

void print_reports(std::ostream& out, std::span<const Report> reports, ReportFormat format,
                   const PrintOptions& options) {
  switch (format) {
    case ReportFormat::text:
      print_text(out, reports, options);
      break;
    case ReportFormat::json:
      print_json(out, reports);
      break;
    case ReportFormat::csv:
      print_csv(out, reports);
      break;
    case ReportFormat::markdown:
      print_markdown(out, reports);
      break;
    case ReportFormat::html:
      print_html(out, reports);
      break;
  }
}

}  // namespace fa32::app::report
