// The report of one replay: a plain struct built from the ReplayResult, with
// every derived figure computed once here so the printers only format.
// Definitions of every figure: docs/report.md.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fa32/app/replay/options.hpp"
#include "fa32/app/replay/result.hpp"

namespace fa32::app::report {

inline constexpr int schema_version = 1;
// Memory over time in `replay` and `stats` reports: at most this many
// evenly spaced points (plus the live peak and the end), whatever the length.
inline constexpr std::uint64_t timeline_points = 1000;

struct ClassFigures {
  std::uint64_t block_size = 0;
  std::uint64_t allocs = 0;           // served by this class's pool
  std::uint64_t fallback_allocs = 0;  // requests of this class sent to the system allocator
  std::optional<double> hit_rate;     // allocs / (allocs + fallback_allocs)
  std::uint64_t cache_hits = 0;
  std::optional<double> cache_reuse;  // cache_hits / allocs
  std::uint64_t freelist_hits = 0;
  std::uint64_t fresh_blocks = 0;
  std::uint64_t frees = 0;
  std::uint64_t capacity_blocks = 0;
  std::uint64_t blocks_in_use_peak = 0;
  std::uint64_t blocks_in_use_end = 0;
  std::optional<double> occupancy_peak;  // blocks_in_use_peak / capacity_blocks
  // nullopt when fastalloc32 kept no peaks (--no-peaks): not measured, where
  // a 0 read as a class nobody asked for (and fa32 diff as a drop to 0).
  std::optional<std::uint64_t> bytes_requested_peak;
  std::uint64_t touched_bytes = 0;

  // Whether the trace asked this class for anything. Reports for people
  // show only used classes (with 64 most traces use a few dozen); the JSON
  // lists every class.
  bool used() const { return allocs != 0 || fallback_allocs != 0; }
};

struct Gate {
  std::string name;  // "fail-on-leak", "min-pool-hit-rate", ...
  double threshold = 0;
  std::optional<double> actual;  // nullopt: the figure does not exist for this allocator
  bool passed = true;
  std::string message;  // why it failed, or empty
};

// The gates asked for on the command line (unset = not checked).
struct GateSpec {
  bool fail_on_leak = false;
  std::optional<double> min_pool_hit_rate;
  std::optional<double> max_fallback_rate;
  std::optional<double> max_overhead;
};

struct Report {
  std::string trace;         // path as given
  std::string trace_format;  // json / jsonl / binary
  std::string allocator;     // fastalloc32 / system
  std::string allocator_config;
  std::string touch;
  bool verify = false;
  bool lenient = false;
  std::uint64_t memory_limit = UINT64_MAX;  // UINT64_MAX: none
  std::uint64_t snapshot_every = 0;         // as asked (result.snapshot_interval: as kept)

  replay::ReplayResult result;  // the raw figures

  // fastalloc32 only (nullopt for the system allocator or when undefined).
  std::uint64_t allocator_allocs = 0;  // pool + large + fallback
  std::optional<double> pool_hit_rate;
  std::optional<double> cache_reuse;
  std::optional<double> large_cache_reuse;
  std::optional<double> fallback_rate;
  std::vector<ClassFigures> classes;

  std::optional<double> internal_frag_at_peak;
  std::optional<double> internal_frag_at_end;
  std::optional<double> overhead_peak_vs_peak;  // Johnstone-Wilson: footprint peak / live peak - 1
  std::optional<double> overhead_at_peak_live;  // footprint at the live peak / live peak - 1
  std::optional<double> temporary_rate;         // temporary / allocation events

  std::vector<Gate> gates;

  bool gates_passed() const;
};

// fill the report from one replay; the allocator has already been replayed.
Report build_report(std::string trace, std::string trace_format, const replay::Allocator& allocator,
                    const replay::ReplayOptions& options, replay::ReplayResult result);
void apply_gates(Report& report, const GateSpec& spec);

// One row of the flat view shared by the text, CSV and Markdown printers
// (and the key names of the JSON one).
struct Figure {
  enum class Kind { none, integer, bytes, ratio, real, text, boolean };
  std::string key;    // stable, dotted: "pool.hit_rate"
  std::string label;  // for people: "pool hit rate"
  Kind kind = Kind::none;
  std::uint64_t integer = 0;
  double real = 0;
  std::string text;
  bool deterministic = true;  // false for timings
};

// Every scalar figure, in print order, including one group per size class.
std::vector<Figure> figures(const Report& report);

}  // namespace fa32::app::report
