// The flat, ordered list of figures every printer shares, so a figure has
// one key and one label everywhere.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <string>

#include "fa32/app/report/counter_rows.hpp"
#include "fa32/app/report/report.hpp"

namespace fa32::app::report {
namespace {

using Kind = Figure::Kind;

class Rows {
 public:
  explicit Rows(std::vector<Figure>& out) : out_(out) {}
  void integer(std::string key, std::string label, std::uint64_t v, bool det = true) {
    Figure f{std::move(key), std::move(label), Kind::integer, v, 0, {}, det};
    out_.push_back(std::move(f));
  }
  void bytes(std::string key, std::string label, std::uint64_t v) {
    Figure f{std::move(key), std::move(label), Kind::bytes, v, 0, {}, true};
    out_.push_back(std::move(f));
  }
  void ratio(std::string key, std::string label, std::optional<double> v) {
    Figure f{std::move(key), std::move(label), v ? Kind::ratio : Kind::none, 0, v.value_or(0), {}, true};
    out_.push_back(std::move(f));
  }
  void real(std::string key, std::string label, double v, bool det) {
    Figure f{std::move(key), std::move(label), Kind::real, 0, v, {}, det};
    out_.push_back(std::move(f));
  }
  void text(std::string key, std::string label, std::string v) {
    Figure f{std::move(key), std::move(label), Kind::text, 0, 0, std::move(v), true};
    out_.push_back(std::move(f));
  }
  void boolean(std::string key, std::string label, bool v) {
    Figure f{std::move(key), std::move(label), Kind::boolean, v ? 1u : 0u, 0, {}, true};
    out_.push_back(std::move(f));
  }

 private:
  std::vector<Figure>& out_;
};

// The allocator's own counters of one section, for an fa32 replay only.
void counter_rows_of(Rows& row, const Report& r, CounterSection section) {
  if (!r.result.fa32) return;
  const fastalloc32_stats& s = r.result.fa32->stats;
  for (const CounterRow& c : counter_rows()) {
    if (c.section != section) continue;
    std::string key(c.key);
    std::string label(c.label);
    if (c.kind == Kind::ratio) {
      row.ratio(std::move(key), std::move(label), r.*c.ratio);
    } else if (c.kind == Kind::bytes) {
      row.bytes(std::move(key), std::move(label), counter_value(s, c).value_or(0));
    } else {
      row.integer(std::move(key), std::move(label), counter_value(s, c).value_or(0));
    }
  }
}

// fastalloc32 only: what its footprint peak was made of (the parts add up to
// memory.footprint_peak, the gauge's peak).
void footprint_parts_of(Rows& row, const Report& r) {
  if (!r.result.fa32) return;
  const fastalloc32_footprint_parts& at_peak = r.result.fa32->stats.footprint_at_peak;
  auto part = [&row](std::string_view name, std::uint64_t bytes) {
    std::string label(name);
    std::replace(label.begin(), label.end(), '_', ' ');
    row.bytes("memory.footprint_peak_" + std::string(name), "footprint peak: " + label, bytes);
  };
#define FA32_PART_ROW(name, desc) part(#name, at_peak.name);
  FASTALLOC32_FOOTPRINT_PARTS(FA32_PART_ROW)
#undef FA32_PART_ROW
}

}  // namespace

std::vector<Figure> figures(const Report& r) {
  std::vector<Figure> out;
  Rows row(out);
  const replay::ReplayResult& x = r.result;
  using traces::Op;
  auto op = [&](Op o) { return x.op_counts[static_cast<int>(o)]; };

  row.text("trace.path", "trace", r.trace);
  row.text("trace.format", "trace format", r.trace_format);
  row.text("allocator.name", "allocator", r.allocator);
  row.text("allocator.config", "allocator config", r.allocator_config);
  row.text("options.touch", "touch", r.touch);
  row.boolean("options.verify", "verify", r.verify);
  row.boolean("options.lenient", "lenient", r.lenient);
  if (r.memory_limit == UINT64_MAX) {
    out.push_back(Figure{"options.memory_limit", "memory limit", Kind::none, 0, 0, {}, true});
  } else {
    row.bytes("options.memory_limit", "memory limit", r.memory_limit);
  }

  row.integer("events.total", "events replayed", x.events);
  row.integer("events.malloc", "malloc events", op(Op::malloc));
  row.integer("events.calloc", "calloc events", op(Op::calloc));
  row.integer("events.aligned_alloc", "aligned_alloc events", op(Op::aligned_alloc));
  row.integer("events.realloc", "realloc events", op(Op::realloc));
  row.integer("events.free", "free events", op(Op::free));

  row.integer("invalid.total", "invalid events", x.invalid.total());
  row.integer("invalid.unknown_id", "free/realloc of unknown id", x.invalid.unknown_id);
  row.integer("invalid.double_free", "double free", x.invalid.double_free);
  row.integer("invalid.id_in_use", "allocation of a live id", x.invalid.id_in_use);
  row.integer("invalid.bad_alignment", "bad alignment", x.invalid.bad_alignment);

  counter_rows_of(row, r, CounterSection::pool);

  row.integer("realloc.in_place", "realloc in place", x.realloc_in_place);
  row.integer("realloc.moved", "realloc moved", x.realloc_moved);
  row.integer("realloc.to_zero", "realloc to size 0", x.realloc_to_zero);
  row.integer("realloc.failed", "realloc failed", x.failed_reallocs);
  counter_rows_of(row, r, CounterSection::realloc);
  row.integer("failed.allocs", "failed allocations", x.failed_allocs);
  row.integer("failed.skipped", "frees of failed allocations", x.skipped_after_fail);
  row.integer("failed.refused_by_limit", "refused by the memory limit", x.refused_by_limit);

  row.bytes("memory.peak_live_bytes", "peak live bytes", x.peak_live_bytes);
  row.integer("memory.peak_live_bytes_event", "event of peak live bytes", x.peak_live_bytes_event);
  row.integer("memory.peak_live_allocs", "peak live allocations", x.peak_live_allocs);
  row.bytes("memory.live_bytes_end", "live bytes at end", x.live_bytes);
  row.integer("memory.live_allocs_end", "live allocations at end", x.live_allocs);
  row.bytes("memory.footprint_peak", "footprint peak", x.footprint_peak);
  row.boolean("memory.footprint_peak_exact", "footprint peak exact", x.footprint_peak_exact);
  footprint_parts_of(row, r);
  row.bytes("memory.footprint_at_peak_live", "footprint at peak live", x.at_peak_live.footprint);
  row.bytes("memory.footprint_end", "footprint at end", x.at_end.footprint);
  row.bytes("memory.reserved_at_peak_live", "reserved at peak live", x.at_peak_live.reserved);
  row.bytes("memory.reserved_end", "reserved at end", x.at_end.reserved);

  row.ratio("fragmentation.internal_at_peak", "internal fragmentation at peak", r.internal_frag_at_peak);
  row.ratio("fragmentation.internal_at_end", "internal fragmentation at end", r.internal_frag_at_end);
  row.ratio("fragmentation.overhead_peak_vs_peak", "overhead: footprint peak vs live peak",
            r.overhead_peak_vs_peak);
  row.ratio("fragmentation.overhead_at_peak_live", "overhead: footprint at live peak",
            r.overhead_at_peak_live);

  row.integer("temporary.allocs", "temporary allocations", x.temporary_allocs);
  row.ratio("temporary.rate", "temporary rate", r.temporary_rate);

  row.integer("leaks.count", "leaked allocations", x.leak_count);
  row.bytes("leaks.bytes", "leaked bytes", x.leak_bytes);

  row.bytes("touch.bytes_written", "bytes written into blocks", x.touched_bytes);
  row.integer("touch.capped_blocks", "blocks touched in part (page cap)", x.touch_capped);

  row.integer("ids.hashed", "sparse ids (hash table)", x.hashed_ids);

  row.real("timing.replay_seconds", "replay time (s)", double(x.replay_ns) / 1e9, false);
  row.real("timing.cpu_seconds", "replay cpu time (s)", double(x.replay_cpu_ns) / 1e9, false);
  row.real("timing.events_per_second", "events/s", x.events_per_second(), false);
  row.real("timing.ns_per_event", "ns/event", x.ns_per_event(), false);

  for (const ClassFigures& c : r.classes) {
    if (!c.used()) continue;
    const std::string k = "class_" + std::to_string(c.block_size) + ".";
    const std::string l = "class " + std::to_string(c.block_size) + ": ";
    row.integer(k + "allocs", l + "pool allocations", c.allocs);
    row.integer(k + "fallback_allocs", l + "fallbacks", c.fallback_allocs);
    row.ratio(k + "hit_rate", l + "hit rate", c.hit_rate);
    row.integer(k + "cache_hits", l + "cache hits", c.cache_hits);
    row.ratio(k + "cache_reuse", l + "cache reuse", c.cache_reuse);
    row.integer(k + "blocks_in_use_peak", l + "peak blocks in use", c.blocks_in_use_peak);
    row.ratio(k + "occupancy_peak", l + "peak occupancy", c.occupancy_peak);
  }
  if (x.error) {
    row.text("error.message", "error", x.error->message);
  }
  return out;
}

}  // namespace fa32::app::report
