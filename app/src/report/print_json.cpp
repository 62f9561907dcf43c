// JSON: one object per trace (an array for several), keys from the figure
// list nested at the dots, plus the arrays. Schema: docs/report.md.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <nlohmann/json.hpp>
#include <string>

#include "fa32/app/report/json_text.hpp"
#include "fa32/app/report/printers.hpp"

namespace fa32::app::report {
namespace {

using json = nlohmann::ordered_json;

json ratio_or_null(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json value(const Figure& f) {
  switch (f.kind) {
    case Figure::Kind::none:
      return nullptr;
    case Figure::Kind::integer:
    case Figure::Kind::bytes:
      return f.integer;
    case Figure::Kind::ratio:
    case Figure::Kind::real:
      return f.real;
    case Figure::Kind::text:
      return f.text;
    case Figure::Kind::boolean:
      return f.integer != 0;
  }
  return nullptr;
}

const char* error_kind(replay::ErrorKind k) {
  switch (k) {
    case replay::ErrorKind::invalid_event:
      return "invalid_event";
    case replay::ErrorKind::corruption:
      return "corruption";
    case replay::ErrorKind::misaligned:
      return "misaligned";
    case replay::ErrorKind::calloc_not_zero:
      return "calloc_not_zero";
    case replay::ErrorKind::accounting:
      return "accounting";
  }
  return "unknown";
}

// Column per series: a thousand points stay readable and small.
json timeline_json(const std::vector<replay::TimelinePoint>& points) {
  json t = json::object();
  const auto column = [&](const char* name, std::uint64_t replay::TimelinePoint::*field) {
    json c = json::array();
    for (const replay::TimelinePoint& p : points) c.push_back(p.*field);
    t[name] = std::move(c);
  };
  column("events", &replay::TimelinePoint::events);
  column("live_bytes", &replay::TimelinePoint::live_bytes);
  column("reserved", &replay::TimelinePoint::reserved);
  column("footprint", &replay::TimelinePoint::footprint);
  column("large_allocs", &replay::TimelinePoint::large_allocs);
  column("fallback_allocs", &replay::TimelinePoint::fallback_allocs);
  column("large_bytes", &replay::TimelinePoint::large_bytes);
  column("fallback_bytes", &replay::TimelinePoint::fallback_bytes);
  return t;
}

json report_json(const Report& r) {
  json j;
  j["schema_version"] = schema_version;
  for (const Figure& f : figures(r)) {
    if (f.key.rfind("class_", 0) == 0 || f.key.rfind("error.", 0) == 0) continue;  // arrays/objects below
    const std::size_t dot = f.key.find('.');
    j[f.key.substr(0, dot)][f.key.substr(dot + 1)] = value(f);
  }
  const replay::ReplayResult& x = r.result;

  json classes = json::array();
  for (const ClassFigures& c : r.classes) {
    const json requested_peak = c.bytes_requested_peak ? json(*c.bytes_requested_peak) : json(nullptr);
    classes.push_back({{"block_size", c.block_size},
                       {"allocs", c.allocs},
                       {"fallback_allocs", c.fallback_allocs},
                       {"hit_rate", ratio_or_null(c.hit_rate)},
                       {"cache_hits", c.cache_hits},
                       {"cache_reuse", ratio_or_null(c.cache_reuse)},
                       {"freelist_hits", c.freelist_hits},
                       {"fresh_blocks", c.fresh_blocks},
                       {"frees", c.frees},
                       {"capacity_blocks", c.capacity_blocks},
                       {"blocks_in_use_peak", c.blocks_in_use_peak},
                       {"blocks_in_use_end", c.blocks_in_use_end},
                       {"occupancy_peak", ratio_or_null(c.occupancy_peak)},
                       {"bytes_requested_peak", requested_peak},
                       {"touched_bytes", c.touched_bytes}});
  }
  j["classes"] = classes;

  json hist = json::array();
  for (int b = 0; b < replay::size_bins; ++b) {
    if (x.size_histogram[b] == 0) continue;
    // 2^64 does not fit a uint64: the top bin says so with null.
    json le = b < 64 ? json(std::uint64_t{1} << b) : json(nullptr);
    hist.push_back({{"le", le}, {"count", x.size_histogram[b]}});
  }
  j["size_histogram"] = hist;

  json lifetimes = json::array();
  for (int b = 0; b < replay::size_bins; ++b) {
    if (x.lifetime_histogram[b] == 0) continue;
    json le = b < 64 ? json(std::uint64_t{1} << b) : json(nullptr);
    lifetimes.push_back({{"le", le}, {"count", x.lifetime_histogram[b]}});
  }
  j["lifetime_histogram"] = lifetimes;

  json first = json::array();
  for (const replay::Leak& l : x.leaks) first.push_back({{"id", l.id}, {"size", l.size}, {"event", l.event}});
  j["leaks"]["first"] = first;

  // The spacing the snapshots were kept at: --snapshot-every's N, or a
  // multiple of it when a long trace filled the store (report.md).
  j["snapshot_interval"] = x.snapshot_interval;
  json snaps = json::array();
  for (const replay::Snapshot& s : x.snapshots) {
    snaps.push_back({{"events", s.events},
                     {"live_bytes", s.live_bytes},
                     {"live_allocs", s.live_allocs},
                     {"footprint", s.footprint},
                     {"reserved", s.reserved},
                     {"class_blocks", s.class_blocks}});
  }
  j["snapshots"] = snaps;
  j["timeline"] = timeline_json(x.timeline);

  json gates = json::array();
  for (const Gate& g : r.gates) {
    gates.push_back({{"name", g.name},
                     {"threshold", g.threshold},
                     {"actual", ratio_or_null(g.actual)},
                     {"passed", g.passed},
                     {"message", g.message}});
  }
  j["gates"] = gates;
  j["passed"] = r.gates_passed() && !x.error;
  if (x.error) {
    j["error"] = {
        {"kind", error_kind(x.error->kind)}, {"event", x.error->event}, {"message", x.error->message}};
  } else {
    j["error"] = nullptr;
  }
  return j;
}

}  // namespace

void print_json(std::ostream& out, std::span<const Report> reports) {
  if (reports.size() == 1) {
    out << json_text(report_json(reports[0])) << '\n';
    return;
  }
  json all = json::array();
  for (const Report& r : reports) all.push_back(report_json(r));
  out << json_text(all) << '\n';
}

}  // namespace fa32::app::report
