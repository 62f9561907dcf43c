// Printers for the bench report, one small file each.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <ostream>

#include "fa32/app/bench/bench_report.hpp"
#include "fa32/app/report/printers.hpp"

namespace fa32::app::bench {

void print_bench(std::ostream& out, const BenchReport& report, report::ReportFormat format);

void print_bench_text(std::ostream& out, const BenchReport& report);
void print_bench_json(std::ostream& out, const BenchReport& report);
void print_bench_csv(std::ostream& out, const BenchReport& report);
void print_bench_markdown(std::ostream& out, const BenchReport& report);
// One self-contained page with inline SVG charts (print_bench_html.cpp).
void print_bench_html(std::ostream& out, const BenchReport& report);

}  // namespace fa32::app::bench
