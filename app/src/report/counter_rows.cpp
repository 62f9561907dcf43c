// The allocator's counter rows, with their values read through the X-macro
// lists the stats struct is declared from.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/report/counter_rows.hpp"

#include <array>

namespace fa32::app::report {
namespace {

using Kind = Figure::Kind;
using Field = CounterField;
using Section = CounterSection;

struct Counter {
  std::string_view name;
  std::uint64_t fastalloc32_stats::*member;
};
struct Gauge {
  std::string_view name;
  fastalloc32_gauge fastalloc32_stats::*member;
};

#define FA32_COUNTER_ENTRY(name, desc) Counter{#name, &fastalloc32_stats::name},
constexpr std::array kCounters{FASTALLOC32_COUNTERS(FA32_COUNTER_ENTRY)};
#undef FA32_COUNTER_ENTRY
#define FA32_GAUGE_ENTRY(name, desc) Gauge{#name, &fastalloc32_stats::name},
constexpr std::array kGauges{FASTALLOC32_GAUGES(FA32_GAUGE_ENTRY)};
#undef FA32_GAUGE_ENTRY

#define FA32_NAME_ENTRY(name, desc) std::string_view{#name},
constexpr std::array kCounterNames{FASTALLOC32_COUNTERS(FA32_NAME_ENTRY)};
constexpr std::array kGaugeNames{FASTALLOC32_GAUGES(FA32_NAME_ENTRY)};
#undef FA32_NAME_ENTRY

constexpr CounterRow count(std::string_view name, Section s, std::string_view key, std::string_view label) {
  return {name, Field::count, s, Kind::integer, key, label};
}
constexpr CounterRow ratio(std::string_view key, std::string_view label, std::optional<double> Report::*v) {
  return {{}, Field::count, Section::pool, Kind::ratio, key, label, v};
}
constexpr CounterRow hidden(std::string_view name, Field f = Field::count) {
  return {name, f, Section::not_reported, Kind::none, {}, {}};
}

const CounterRow kRows[] = {
    count("pool_allocs", Section::pool, "pool.allocs", "pool allocations"),
    ratio("pool.hit_rate", "pool hit rate", &Report::pool_hit_rate),
    count("cache_hits", Section::pool, "pool.cache_hits", "cache hits"),
    ratio("pool.cache_reuse", "cache reuse", &Report::cache_reuse),
    count("freelist_hits", Section::pool, "pool.freelist_hits", "free-list hits"),
    count("fresh_blocks", Section::pool, "pool.fresh_blocks", "fresh blocks"),
    count("pool_grows", Section::pool, "pool.grows", "pool grows"),
    count("pool_trims", Section::pool, "pool.trims", "pool give-backs (madvise)"),
    count("pool_huge_advices", Section::pool, "pool.huge_page_advices", "pool huge-page requests (madvise)"),
    count("pool_page_runs", Section::pool, "pool.page_runs", "pool page runs made present (madvise)"),
    {"metadata", Field::gauge_peak, Section::pool, Kind::bytes, "pool.metadata_peak",
     "metadata pages (peak)"},
    count("large_allocs", Section::pool, "large.allocs", "large allocations"),
    count("large_frees", Section::pool, "large.frees", "large frees"),
    count("large_cache_hits", Section::pool, "large.cache_hits", "large cache hits"),
    ratio("large.cache_reuse", "large cache reuse", &Report::large_cache_reuse),
    count("large_arena_allocs", Section::pool, "large.arena_allocs", "large arena allocations"),
    count("arena_page_runs", Section::pool, "large.arena_page_runs", "large arena page runs (madvise)"),
    count("sys_decommits", Section::pool, "large.arena_decommits", "large arena give-backs (madvise)"),
    count("large_cache_trims", Section::pool, "large.cache_trims", "large cache give-backs"),
    count("fallback_allocs", Section::pool, "fallback.allocs", "fallback allocations"),
    ratio("fallback.rate", "fallback rate", &Report::fallback_rate),
    {"fallback_bytes", Field::gauge_total, Section::pool, Kind::bytes, "fallback.bytes_total",
     "fallback bytes (total)"},
    {"fallback_bytes", Field::gauge_peak, Section::pool, Kind::bytes, "fallback.bytes_peak",
     "fallback bytes (peak)"},

    count("realloc_pool_to_pool", Section::realloc, "realloc.pool_to_pool", "realloc pool -> pool"),
    count("realloc_pool_to_large", Section::realloc, "realloc.pool_to_large", "realloc pool -> large"),
    count("realloc_large_to_pool", Section::realloc, "realloc.large_to_pool", "realloc large -> pool"),
    count("realloc_large_in_place", Section::realloc, "realloc.large_in_place", "realloc large in place"),
    count("realloc_large_moved", Section::realloc, "realloc.large_moved", "realloc large moved"),
    count("realloc_fallback", Section::realloc, "realloc.fallback", "realloc via fallback"),
    count("invalid_frees", Section::realloc, "allocator.invalid_frees", "allocator: invalid frees"),
    count("double_frees", Section::realloc, "allocator.double_frees", "allocator: double frees"),
    count("interior_frees", Section::realloc, "allocator.interior_frees", "allocator: interior frees"),

    // Counted by the replay itself (events.*, realloc.*, failed.*), or
    // system-level detail the replay report does not show.
    hidden("mallocs"),
    hidden("frees"),
    hidden("reallocs"),
    hidden("pool_frees"),
    hidden("fallback_frees"),
    hidden("realloc_in_place"),
    hidden("failed_allocs"),
    hidden("sys_mallocs"),
    hidden("sys_frees"),
    hidden("sys_maps"),
    hidden("sys_unmaps"),
    hidden("sys_remaps"),
    hidden("sys_commits"),
    // The replay measures live and footprint figures on its own (memory.*).
    hidden("live_allocs", Field::gauge_peak),
    hidden("bytes_requested", Field::gauge_peak),
    hidden("bytes_reserved", Field::gauge_peak),
    hidden("pool_blocks", Field::gauge_peak),
    hidden("large_bytes", Field::gauge_peak),
    hidden("footprint", Field::gauge_peak),
};

}  // namespace

std::span<const CounterRow> counter_rows() {
  return kRows;
}
std::span<const std::string_view> counter_names() {
  return kCounterNames;
}
std::span<const std::string_view> gauge_names() {
  return kGaugeNames;
}

std::optional<std::uint64_t> counter_value(const fastalloc32_stats& s, const CounterRow& row) {
  for (const Counter& c : kCounters) {
    if (c.name == row.name) return s.*c.member;
  }
  for (const Gauge& g : kGauges) {
    if (g.name != row.name) continue;
    const fastalloc32_gauge& v = s.*g.member;
    switch (row.field) {
      case Field::gauge_total:
        return v.total;
      case Field::gauge_peak:
        return v.peak;
      case Field::count:
        return v.current;
    }
  }
  return std::nullopt;
}

}  // namespace fa32::app::report
