// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/bench_printers.hpp"

namespace fa32::app::bench {

void print_bench(std::ostream& out, const BenchReport& report, report::ReportFormat format) {
  switch (format) {
    case report::ReportFormat::text:
      print_bench_text(out, report);
      return;
    case report::ReportFormat::json:
      print_bench_json(out, report);
      return;
    case report::ReportFormat::csv:
      print_bench_csv(out, report);
      return;
    case report::ReportFormat::markdown:
      print_bench_markdown(out, report);
      return;
    case report::ReportFormat::html:
      print_bench_html(out, report);
      return;
  }
}

}  // namespace fa32::app::bench
