// Text: an aligned summary for people. One trace: sections, the size-class
// table, the size histogram, the leaks and the gates. Several: one column per
// trace. Colour only when asked (the caller checks the terminal and NO_COLOR).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <string>

#include "fa32/app/count_noun.hpp"
#include "fa32/app/replay/snapshots.hpp"
#include "fa32/app/report/printers.hpp"
#include "fa32/traces/printable.hpp"
#include "style.hpp"
#include "text_table.hpp"

namespace fa32::app::report {
namespace {

// Trace paths and error messages are anyone's text (see printable).
using traces::printable;

std::string section_title(const std::string& key) {
  static const std::pair<const char*, const char*> titles[] = {
      {"events", "events"},
      {"invalid", "invalid events"},
      {"pool", "pool"},
      {"large", "large blocks"},
      {"fallback", "fallback"},
      {"realloc", "realloc"},
      {"allocator", "allocator"},
      {"failed", "failed requests"},
      {"memory", "memory"},
      {"fragmentation", "fragmentation"},
      {"temporary", "temporary allocations"},
      {"leaks", "leaks"},
      {"touch", "written by the replayer (--touch)"},
      {"ids", "id table"},
      {"timing", "timing"},
  };
  for (const auto& [k, t] : titles) {
    if (key == k) return t;
  }
  return key;
}

// A right-aligned table, two spaces in.
void print_table(std::ostream& out, const std::vector<std::string>& head,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> lines{head};
  lines.insert(lines.end(), rows.begin(), rows.end());
  TableLayout layout;
  layout.gap = " ";
  report::print_table(out, lines, layout);
}

void print_leaks_and_gates(std::ostream& out, const Report& r, const Style& st) {
  const replay::ReplayResult& x = r.result;
  if (x.leak_count != 0) {
    out << '\n'
        << st.yellow("leaks at exit: " + count_noun(x.leak_count, "allocation") + ", " +
                     count_noun(x.leak_bytes, "byte"))
        << (x.leak_count > x.leaks.size() ? " (first " + std::to_string(x.leaks.size()) + " listed)" : "")
        << '\n';
    for (const replay::Leak& l : x.leaks) {
      out << "  id " << pad_left(std::to_string(l.id), 8) << "  size " << pad_left(std::to_string(l.size), 10)
          << "  made by event " << l.event << '\n';
    }
  } else if (!x.error) {
    out << '\n' << st.green("no leaks") << '\n';
  }
  if (!r.gates.empty()) {
    out << '\n' << st.bold("gates") << '\n';
    std::size_t w = 0;
    for (const Gate& g : r.gates) w = std::max(w, g.name.size());
    for (const Gate& g : r.gates) {
      out << "  " << pad_right(g.name, w) << "  " << (g.passed ? st.green("pass") : st.red("FAIL"));
      if (!g.message.empty()) out << "  " << g.message;
      out << '\n';
    }
  }
  if (x.error) out << '\n' << st.red("error: " + printable(x.error->message)) << '\n';
}

void print_classes(std::ostream& out, const Report& r, const Style& st) {
  if (r.classes.empty()) return;
  const std::vector<std::string> head{"block",       "allocs",     "fallbacks",
                                      "hit rate",    "cache hits", "cache reuse",
                                      "peak blocks", "capacity",   "peak occupancy"};
  std::vector<std::vector<std::string>> rows;
  auto pct = [](const std::optional<double>& v) {
    Figure f;
    f.kind = v ? Figure::Kind::ratio : Figure::Kind::none;
    f.real = v.value_or(0);
    return format_value(f, true);
  };
  std::size_t unused = 0;
  for (const ClassFigures& c : r.classes) {
    if (!c.used()) {
      ++unused;
      continue;
    }
    rows.push_back({std::to_string(c.block_size), std::to_string(c.allocs), std::to_string(c.fallback_allocs),
                    pct(c.hit_rate), std::to_string(c.cache_hits), pct(c.cache_reuse),
                    std::to_string(c.blocks_in_use_peak), std::to_string(c.capacity_blocks),
                    pct(c.occupancy_peak)});
  }
  out << '\n' << st.bold("size classes") << '\n';
  if (!rows.empty()) print_table(out, head, rows);
  if (unused != 0)
    out << "  " << unused << " of " << r.classes.size()
        << " classes not used (fa32 stats --format json lists all)\n";
}

void print_histogram(std::ostream& out, const Report& r, const Style& st) {
  const auto& h = r.result.size_histogram;
  std::uint64_t most = 0;
  for (std::uint64_t n : h) most = std::max(most, n);
  if (most == 0) return;
  out << '\n' << st.bold("requested sizes") << '\n';
  for (int b = 0; b < replay::size_bins; ++b) {
    if (h[b] == 0) continue;
    const std::string le = b < 64 ? "<= " + std::to_string(std::uint64_t{1} << b) : "> 2^63";
    const auto bar = static_cast<std::size_t>(double(h[b]) * 40.0 / double(most) + 0.5);
    out << "  " << pad_left(le, 23) << "  " << pad_left(std::to_string(h[b]), 12) << "  "
        << std::string(std::max<std::size_t>(bar, 1), '#') << '\n';
  }
}

// Memory over time (--snapshot-every): one line per snapshot, up to a
// screenful; JSON has them all.
void print_snapshots(std::ostream& out, const Report& r, const Style& st) {
  const auto& snaps = r.result.snapshots;
  if (snaps.empty()) return;
  constexpr std::size_t kMaxLines = 40;
  const std::size_t step = (snaps.size() + kMaxLines - 1) / kMaxLines;
  // A spacing other than the one asked for would otherwise read as a bug.
  const std::uint64_t every = r.result.snapshot_interval;
  const std::string thinned = every != r.snapshot_every
                                  ? ", every " + std::to_string(every) + " events (--snapshot-every " +
                                        std::to_string(r.snapshot_every) + " doubled to keep at most " +
                                        std::to_string(replay::max_snapshots) + " snapshots)"
                                  : "";
  out << '\n'
      << st.bold("memory over time") << thinned
      << (step > 1 ? " (one snapshot in " + std::to_string(step) + " shown)" : "") << '\n';
  const std::vector<std::string> head{"events", "live bytes", "live allocs", "footprint", "reserved"};
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < snaps.size(); i += step) {
    const replay::Snapshot& s = snaps[i];
    rows.push_back({std::to_string(s.events), std::to_string(s.live_bytes), std::to_string(s.live_allocs),
                    std::to_string(s.footprint), std::to_string(s.reserved)});
  }
  print_table(out, head, rows);
}

void print_one(std::ostream& out, const Report& r, const Style& st) {
  const std::vector<Figure> fs = figures(r);
  out << st.bold("fa32 replay: " + printable(r.trace)) << " (" << r.trace_format << ", " << r.result.events
      << " events) through " << r.allocator << '\n';
  out << "  " << r.allocator_config << "; touch " << r.touch << (r.verify ? ", verify" : "")
      << (r.lenient ? ", lenient" : "") << "; memory limit "
      << (r.memory_limit == UINT64_MAX ? std::string("none") : human_bytes(r.memory_limit)) << '\n';
  std::size_t w = 0;
  for (const Figure& f : fs) w = std::max(w, f.label.size());
  std::string section;
  for (const Figure& f : fs) {
    const std::string group = f.key.substr(0, f.key.find('.'));
    if (group == "trace" || group == "options" || group == "error" || group.rfind("class_", 0) == 0) continue;
    if (f.key == "allocator.name" || f.key == "allocator.config") continue;
    if (group != section) {
      section = group;
      out << '\n' << st.bold(section_title(section)) << '\n';
    }
    out << "  " << pad_right(f.label, w) << "  " << format_value(f, true) << '\n';
  }
  print_classes(out, r, st);
  print_histogram(out, r, st);
  print_snapshots(out, r, st);
  print_leaks_and_gates(out, r, st);
}

// Rows too wide for a column: printed above the table instead.
bool legend_row(const std::string& key) {
  return key == "trace.path" || key == "allocator.config" || key == "error.message";
}

void print_many(std::ostream& out, std::span<const Report> reports, const Style& st) {
  const FigureTable t = side_by_side(reports, true);
  out << st.bold("fa32 replay: " + std::to_string(reports.size()) + " traces") << '\n';
  for (const Report& r : reports) {
    out << "  " << printable(r.trace) << ": " << r.allocator << ", " << r.allocator_config << '\n';
  }
  out << '\n';
  std::size_t lw = 6;
  for (const std::string& l : t.labels) lw = std::max(lw, l.size());
  std::vector<std::string> names;
  for (const Report& r : reports) names.push_back(printable(r.trace));
  std::vector<std::size_t> cw(reports.size());
  for (std::size_t c = 0; c < reports.size(); ++c) {
    cw[c] = display_width(names[c]);
    for (std::size_t i = 0; i < t.keys.size(); ++i) {
      if (!legend_row(t.keys[i])) cw[c] = std::max(cw[c], display_width(t.cells[i][c]));
    }
  }
  out << st.bold(pad_right("figure", lw));
  for (std::size_t c = 0; c < reports.size(); ++c) out << "  " << st.bold(pad_left(names[c], cw[c]));
  out << '\n';
  for (std::size_t i = 0; i < t.keys.size(); ++i) {
    if (legend_row(t.keys[i])) continue;
    out << pad_right(t.labels[i], lw);
    for (std::size_t c = 0; c < reports.size(); ++c) out << "  " << pad_left(t.cells[i][c], cw[c]);
    out << '\n';
  }
  for (const Report& r : reports) {
    if (r.result.leak_count == 0 && r.gates.empty() && !r.result.error) continue;
    out << '\n' << st.bold(printable(r.trace)) << ':';
    print_leaks_and_gates(out, r, st);
  }
}

}  // namespace

void print_text(std::ostream& out, std::span<const Report> reports, const PrintOptions& options) {
  const Style st{options.color};
  if (reports.size() == 1) {
    print_one(out, reports[0], st);
  } else {
    print_many(out, reports, st);
  }
}

}  // namespace fa32::app::report
