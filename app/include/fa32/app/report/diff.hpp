// `fa32 diff BASE NEW`: two JSON reports of replay/stats (or two of bench),
// figure by figure, with which way is better, and regression gates.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fa32::app::report {

// Wide enough for any JSON integer (-2^63 .. 2^64 - 1) and the difference of two.
__extension__ using Int128 = __int128;

// A figure's value as the report wrote it. An integer is kept exactly: a
// byte counter may pass 2^53, past which a double rounds (2^60 and
// 2^60 + 1 were one number, and a gate on them passed).
struct Number {
  double real = 0;                // the value (rounded, for an integer past 2^53)
  std::optional<Int128> integer;  // set when the report wrote an integer
};

// An integer in full; anything else to six significant digits.
std::string number_text(const Number& v);

enum class Better { lower, higher, none };
enum class Verdict { unchanged, better, worse, changed };

// Which way a figure is better, from its path: "memory.footprint_peak",
// "classes[16].hit_rate", "workloads[t].allocators[glibc].ns_per_event.median".
Better better_of(std::string_view figure);
const char* verdict_name(Verdict v);

struct DiffRow {
  std::string figure;          // the dotted path, arrays keyed by block size, name or trace
  std::string plain;           // the same without the keys ("classes.hit_rate"): its leaf and section
  std::optional<Number> base;  // nullopt: missing or null in that report
  std::optional<Number> next;
  bool in_base = true;  // the figure is in that report (null or not)
  bool in_next = true;
  Number change;                   // next - base, when both exist (exact when both are integers)
  std::optional<double> relative;  // change / |base|; nullopt when base is 0 (and next is not) or missing
  Better better = Better::none;
  Verdict verdict = Verdict::unchanged;
};

// A text or yes/no figure (trace, allocator config, options) that differs.
struct ContextChange {
  std::string figure;
  std::string base;
  std::string next;
};

struct DiffGate {
  std::string figure;  // as given
  double max_percent = 0;
  bool passed = true;
  std::string message;  // the figures that went past it, or empty
};

struct Diff {
  std::string base_file;
  std::string new_file;
  std::string kind;  // "replay" or "bench"
  std::vector<std::string> warnings;
  std::vector<ContextChange> context;
  std::vector<DiffRow> rows;  // every numeric figure, in the base report's order
  // Figures of a class, workload, allocator or trace in one report only:
  // not rows (one line of context says so), but a gate or --ignore may
  // still name them.
  std::vector<DiffRow> one_sided;  // figure and plain only
  // Figures --ignore left out: still figures of the reports, so a later
  // --ignore may name them again (in any order) and a gate on them is told
  // why it has nothing to compare.
  std::vector<DiffRow> ignored;
  // Reports whose replay stopped at an error (an invalid event, a
  // corruption): their figures cover only the events before it, so every
  // gate fails, naming the first of them.
  std::vector<std::string> stopped;
  std::vector<DiffGate> gates;
  bool passed() const;
};

// Reads a report. Throws InputError (exit 2) when the file cannot be read,
// is not JSON, or is not an fa32 replay/stats/bench report.
nlohmann::ordered_json load_report(const std::string& path);

// Compares two loaded reports. Throws InputError when nothing can be
// compared: different kinds of report, or no figure in common.
Diff diff_reports(const nlohmann::ordered_json& base, const nlohmann::ordered_json& next,
                  std::string base_file, std::string new_file);

// Adds the gate "FIGURE=PCT": fails when a figure matching FIGURE (its whole
// path, or a suffix of it after a dot: "footprint_peak") got worse by more
// than PCT percent. Throws InputError when the spec is malformed or names no
// figure of either report.
void add_gate(Diff& diff, std::string_view spec);

// Drops the figures FIGURE names: as for a gate, or a whole section
// ("timing": the only figures that vary from run to run of one replay).
// Throws InputError when it names no figure of the reports (one an earlier
// --ignore left out still counts).
void ignore_figures(Diff& diff, std::string_view figure);

enum class DiffFormat { text, markdown, json };
void print_diff(std::ostream& out, const Diff& diff, DiffFormat format, bool all, bool color);

}  // namespace fa32::app::report
