// The logic of `fa32 diff`: reading two reports, flattening them into
// figures, comparing them and applying the gates. Printing: print_diff.cpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "fa32/app/cli.hpp"
#include "fa32/app/report/diff.hpp"

namespace fa32::app::report {
namespace {

using json = nlohmann::ordered_json;

// Parts of a report that are series, lists or verdicts, not figures to compare.
constexpr std::string_view kSkipped[] = {
    "schema_version", "command", "snapshots", "timeline",    "size_histogram", "lifetime_histogram",
    "gates",          "passed",  "error",     "leaks.first", "notes",          "snapshot_interval"};

struct Flat {
  std::vector<std::pair<std::string, std::optional<Number>>> numbers;  // in report order
  std::map<std::string, std::string> texts;
  // Each number's path without its array keys ("classes.hit_rate"), kept
  // apart: a key may hold any character ("[a]b.json": a trace path), so
  // the path cannot be split again.
  std::map<std::string, std::string> plain;
};

bool skipped(const std::string& path) {
  for (std::string_view s : kSkipped) {
    if (path == s) return true;
  }
  return false;
}

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// The key an array element is known by, so arrays pair up by meaning, not
// position: a class by its block size, a workload or allocator by its name.
std::optional<std::string> element_key(const json& e) {
  if (!e.is_object()) return std::nullopt;
  for (const char* k : {"block_size", "name"}) {
    auto it = e.find(k);
    if (it == e.end()) continue;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
  }
  return std::nullopt;
}

// The n-th element of an array with the same key as earlier ones (bench
// given the same trace twice names two workloads alike) is "key#n": the
// two reports' duplicates then pair up in order, where one key for both
// compared the base's second with the new report's first.
std::string numbered(const std::string& key, std::map<std::string, int>& occurrences) {
  const int n = ++occurrences[key];
  return n == 1 ? key : key + "#" + std::to_string(n);
}

// fa32's reports nest a few levels; the limit keeps a hostile file from
// taking the recursion below through the stack (100 000 nested objects did).
constexpr int kMaxDepth = 64;

void flatten(const json& j, const std::string& path, const std::string& plain, Flat& out, int depth = 0) {
  if (skipped(path)) return;
  if (depth > kMaxDepth && (j.is_object() || j.is_array()))
    throw InputError(path + ": nested deeper than " + std::to_string(kMaxDepth) +
                     " levels: not a fa32 report");
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), join(path, it.key()), join(plain, it.key()), out, depth + 1);
  } else if (j.is_array()) {
    std::map<std::string, int> occurrences;
    for (const json& e : j) {
      std::optional<std::string> key = element_key(e);
      if (!key) continue;  // a plain list (runs, verified): not a figure
      *key = numbered(*key, occurrences);
      for (auto it = e.begin(); it != e.end(); ++it) {
        if (it.key() == "block_size" || it.key() == "name") continue;
        flatten(it.value(), join(path + "[" + *key + "]", it.key()), join(plain, it.key()), out, depth + 1);
      }
    }
  } else if (j.is_number()) {
    Number n{j.get<double>(), std::nullopt};
    if (j.is_number_unsigned()) {
      n.integer = Int128(j.get<std::uint64_t>());
    } else if (j.is_number_integer()) {
      n.integer = Int128(j.get<std::int64_t>());
    }
    out.numbers.emplace_back(path, n);
    out.plain[path] = plain;
  } else if (j.is_null()) {
    out.numbers.emplace_back(path, std::nullopt);
    out.plain[path] = plain;
  } else {
    out.texts[path] = j.is_string() ? j.get<std::string>() : j.dump();
  }
}

// Fields are read by type: a hostile or hand-edited report ("command": 5,
// "schema_version": "1", "trace": 5) is bad input or a difference, never
// a nlohmann type error or an int overflow.
std::string kind_of(const json& j) {
  if (!j.is_object()) return {};
  const auto command = j.find("command");
  if (command != j.end() && *command == "bench" && j.contains("workloads")) return "bench";
  if (j.is_object() && j.contains("schema_version") && j.contains("trace") && j.contains("events"))
    return "replay";
  return {};
}

// Several traces' reports (an array) pair up by trace path; so does a
// report of one trace compared with such an array (by_trace).
Flat flatten_report(const json& j, bool by_trace) {
  Flat f;
  if (!j.is_array() && !by_trace) {
    flatten(j, "", "", f);
    return f;
  }
  std::map<std::string, int> occurrences;
  const auto add = [&](const json& r) {
    const json& t = r.at("trace");  // kind_of made sure it is there
    const auto path = t.is_object() ? t.find("path") : t.end();
    const std::string trace =
        numbered(path != t.end() && path->is_string() ? path->get<std::string>() : "?", occurrences);
    Flat one;
    flatten(r, "", "", one);
    for (auto& [k, v] : one.numbers) f.numbers.emplace_back("[" + trace + "]." + k, v);
    for (auto& [k, v] : one.plain) f.plain["[" + trace + "]." + k] = v;
    for (auto& [k, v] : one.texts) f.texts["[" + trace + "]." + k] = v;
  };
  if (!j.is_array()) {
    add(j);
    return f;
  }
  for (const json& r : j) add(r);
  return f;
}

// The version as written: compared and shown as text.
std::string schema_of(const json& j) {
  const json& one = j.is_array() ? j.front() : j;
  const auto it = one.find("schema_version");
  return it == one.end() ? "none" : it->dump();
}

std::string leaf(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

// The path without its array keys: "classes[16].hit_rate" -> "classes.hit_rate".
// For a path as written; a report's own figures carry theirs (Flat::plain).
std::string normalized(std::string_view path) {
  std::string out;
  int depth = 0;
  for (char c : path) {
    if (c == '[') ++depth;
    if (depth == 0) out += c;
    if (c == ']') --depth;
  }
  if (!out.empty() && out[0] == '.') out.erase(0, 1);
  return out;
}

bool matches(const DiffRow& r, std::string_view figure) {
  for (const std::string& p : {r.figure, r.plain}) {
    if (p == figure) return true;
    if (p.size() > figure.size() && p.compare(p.size() - figure.size(), figure.size(), figure) == 0 &&
        p[p.size() - figure.size() - 1] == '.')
      return true;
  }
  return false;
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Integers exactly when both are; doubles otherwise, as before.
Number difference(const Number& next, const Number& base) {
  if (next.integer && base.integer) {
    const Int128 d = *next.integer - *base.integer;
    return {double(d), d};
  }
  return {next.real - base.real, std::nullopt};
}

int compare(const Number& a, const Number& b) {
  if (a.integer && b.integer) return *a.integer < *b.integer ? -1 : *a.integer > *b.integer ? 1 : 0;
  return a.real < b.real ? -1 : a.real > b.real ? 1 : 0;
}

}  // namespace

std::string number_text(const Number& v) {
  if (!v.integer) return number_text(v.real);
  const bool negative = *v.integer < 0;
  Int128 rest = negative ? -*v.integer : *v.integer;  // |2^64 + 2^63| at most: no overflow
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + int(rest % 10)));
    rest /= 10;
  } while (rest != 0);
  return negative ? "-" + digits : digits;
}

namespace {

// Which way is better for a path without its array keys.
Better better_of_plain(const std::string& n) {
  const std::string l = leaf(n);
  // Whole sections where less is better: waste, failures, mistakes, leaks.
  for (const char* section : {"fragmentation.", "failed.", "invalid.", "leaks.", "fallback.",
                              "workloads.allocators.ns_per_event."}) {
    if (n.rfind(section, 0) == 0) return Better::lower;
  }
  for (const char* lower :
       {"footprint_peak", "footprint_at_peak_live", "footprint_end", "reserved_at_peak_live", "reserved_end",
        "peak_rss_bytes", "replay_rss_bytes", "footprint_peak_bytes", "footprint_vs_live", "ratio_to_glibc",
        "ratio_to_fastest", "replay_seconds", "cpu_seconds", "ns_per_event", "fallback_allocs",
        "invalid_frees", "double_frees", "interior_frees"}) {
    if (l == lower) return Better::lower;
  }
  if (n == "realloc.failed") return Better::lower;
  for (const char* higher : {"hit_rate", "cache_reuse", "events_per_second"}) {
    if (l == higher) return Better::higher;
  }
  return Better::none;
}

}  // namespace

Better better_of(std::string_view figure) {
  return better_of_plain(normalized(figure));
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::unchanged:
      return "unchanged";
    case Verdict::better:
      return "better";
    case Verdict::worse:
      return "worse";
    case Verdict::changed:
      return "changed";
  }
  return "changed";
}

bool Diff::passed() const {
  return std::all_of(gates.begin(), gates.end(), [](const DiffGate& g) { return g.passed; });
}

json load_report(const std::string& path) {
  std::string text;
  // Read with read(), not `out << in.rdbuf()`: that swallows a read error
  // (a directory opens, then fails with EISDIR), which then read as an
  // empty file, "not JSON".
  const auto read_all = [&](std::istream& in) {
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) text.append(buf, std::size_t(in.gcount()));
    // std::cin reads through stdio, which keeps its read errors to itself.
    if (in.bad() || (&in == &std::cin && std::ferror(stdin) != 0))
      throw InputError(path + ": cannot read: " + std::strerror(errno));
  };
  if (path == "-") {  // a report piped from replay/stats/bench --format json
    read_all(std::cin);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open");
    read_all(in);
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw InputError(path + ": not JSON, so not an fa32 report");
  if (j.is_array() && !j.empty() &&
      std::all_of(j.begin(), j.end(), [](const json& r) { return kind_of(r) == "replay"; }))
    return j;
  if (kind_of(j).empty()) {
    throw InputError(
        path +
        ": not an fa32 report (expected the JSON of fa32 replay/stats --format json or fa32 bench "
        "--format json)");
  }
  return j;
}

namespace {

// A replay that stopped at an error counted only the events before it:
// its footprint, leaks and counts shrink, and a gate would pass on a trace
// that was never replayed whole.
void note_stopped(const json& report, const std::string& file, Diff& d) {
  const auto one = [&](const json& r, const std::string& name) {
    if (!r.is_object()) return;
    const auto error = r.find("error");
    if (error == r.end() || !error->is_object()) return;
    const auto event = error->find("event");
    const auto message = error->find("message");
    std::string what;  // "event 5: free of id 9: ...", or the event alone
    if (message != error->end() && message->is_string())
      what = message->get<std::string>();
    else if (event != error->end() && event->is_number_unsigned())
      what = "event " + std::to_string(event->get<std::uint64_t>());
    d.stopped.push_back(name + ": the replay stopped at an error" + (what.empty() ? "" : " (" + what + ")") +
                        "; its figures cover only the events before it");
    d.warnings.push_back(d.stopped.back());
  };
  if (!report.is_array()) return one(report, file);
  for (const json& r : report) {
    std::string name = file;
    if (r.is_object() && r.contains("trace") && r["trace"].is_object()) {
      const json& trace = r["trace"];
      if (trace.contains("path") && trace["path"].is_string())
        name += " [" + trace["path"].get<std::string>() + "]";
    }
    one(r, name);
  }
}

}  // namespace

Diff diff_reports(const json& base, const json& next, std::string base_file, std::string new_file) {
  Diff d;
  d.base_file = std::move(base_file);
  d.new_file = std::move(new_file);
  const std::string kb = base.is_array() ? "replay" : kind_of(base);
  const std::string kn = next.is_array() ? "replay" : kind_of(next);
  if (kb != kn) {
    throw InputError("cannot compare a " + kb + " report (" + d.base_file + ") with a " + kn + " report (" +
                     d.new_file + ")");
  }
  d.kind = kb;
  if (kb == "replay") {
    note_stopped(base, d.base_file, d);
    note_stopped(next, d.new_file, d);
  }
  if (base.is_array() != next.is_array()) {
    d.warnings.push_back(
        "one file holds several traces' reports, the other one: only figures of the same "
        "trace path are compared");
  }
  if (schema_of(base) != schema_of(next)) {
    d.warnings.push_back("schema versions differ (" + schema_of(base) + " and " + schema_of(next) +
                         "): a figure may not mean the same in both");
  }
  const auto flatten_file = [](const json& j, const std::string& file, bool by_trace) {
    try {
      return flatten_report(j, by_trace);
    } catch (const InputError& e) {
      throw InputError(file + ": " + e.what());
    }
  };
  // A report of one trace against one of several: its figures are named
  // by trace path too, so they meet that trace's figures.
  const bool by_trace = base.is_array() || next.is_array();
  const Flat fb = flatten_file(base, d.base_file, by_trace);
  const Flat fn = flatten_file(next, d.new_file, by_trace);
  for (const auto& [key, value] : fb.texts) {
    auto it = fn.texts.find(key);
    if (it != fn.texts.end() && it->second != value) d.context.push_back({key, value, it->second});
  }
  const auto trace_text = [](const Flat& f) {
    auto it = f.texts.find("trace.path");
    return it == f.texts.end() ? std::string() : it->second;
  };
  if (kb == "replay" && trace_text(fb) != trace_text(fn)) {
    d.warnings.push_back("the reports are of different traces (" + trace_text(fb) + " and " + trace_text(fn) +
                         "): the changes may be the traces', not the allocator's");
  }

  std::map<std::string, std::optional<Number>> in_new(fn.numbers.begin(), fn.numbers.end());
  std::map<std::string, bool> seen;
  std::size_t common = 0;
  const auto plain = [&](const std::string& key) {
    auto it = fb.plain.find(key);
    return it != fb.plain.end() ? it->second : fn.plain.at(key);
  };
  const auto named_row = [&](const std::string& key) {
    DiffRow r;
    r.figure = key;
    r.plain = plain(key);
    return r;
  };
  const auto add = [&](const std::string& key, std::optional<Number> b, std::optional<Number> n, bool in_base,
                       bool in_next) {
    DiffRow r = named_row(key);
    r.base = b;
    r.next = n;
    r.in_base = in_base;
    r.in_next = in_next;
    r.better = better_of_plain(r.plain);
    if (b && n) {
      r.change = difference(*n, *b);
      if (b->real != 0) {
        r.relative = r.change.real / std::fabs(b->real);
      } else if (n->real == 0) {
        r.relative = 0.0;
      }
      const int order = compare(*n, *b);
      if (order == 0) {
        r.verdict = Verdict::unchanged;
      } else if (r.better == Better::none) {
        r.verdict = Verdict::changed;
      } else {
        r.verdict = (order < 0) == (r.better == Better::lower) ? Verdict::better : Verdict::worse;
      }
    } else {
      r.verdict = b.has_value() == n.has_value() ? Verdict::unchanged : Verdict::changed;
    }
    d.rows.push_back(std::move(r));
  };
  // A class, workload or allocator in one report only is one line of
  // context, not a row for each of its figures.
  // The outermost element missing is named: a trace in one report only
  // is one line, not one for it and one for each of its classes.
  const auto lone = [&](const std::string& key, const Flat& other, const char* base_text,
                        const char* new_text) {
    for (std::size_t end = key.find(']'); end != std::string::npos; end = key.find(']', end + 1)) {
      const std::string element = key.substr(0, end + 1);
      const bool there = std::any_of(other.numbers.begin(), other.numbers.end(), [&](const auto& n) {
        return n.first.compare(0, element.size(), element) == 0;
      });
      if (there) continue;
      if (d.context.empty() || d.context.back().figure != element)
        d.context.push_back({element, base_text, new_text});
      return true;
    }
    return false;
  };
  for (const auto& [key, b] : fb.numbers) {
    seen[key] = true;
    auto it = in_new.find(key);
    if (it != in_new.end()) ++common;
    if (it == in_new.end() && lone(key, fn, "present", "absent")) {
      d.one_sided.push_back(named_row(key));
      continue;
    }
    add(key, b, it == in_new.end() ? std::nullopt : it->second, true, it != in_new.end());
  }
  for (const auto& [key, n] : fn.numbers) {
    if (seen.count(key)) continue;
    if (lone(key, fb, "absent", "present")) {
      d.one_sided.push_back(named_row(key));
      continue;
    }
    add(key, std::nullopt, n, false, true);
  }
  if (common == 0) {
    throw InputError("no figure in common between " + d.base_file + " and " + d.new_file +
                     (kb == "bench" ? ": were they run on different workloads or allocators?" : ""));
  }
  return d;
}

void add_gate(Diff& d, std::string_view spec) {
  const std::size_t eq = spec.rfind('=');
  DiffGate g;
  if (eq == std::string_view::npos || eq == 0) {
    throw InputError("--max-regression: expected FIGURE=PERCENT (e.g. footprint_peak=5), got '" +
                     std::string(spec) + "'");
  }
  g.figure = std::string(spec.substr(0, eq));
  std::string pct(spec.substr(eq + 1));
  if (!pct.empty() && pct.back() == '%') pct.pop_back();
  // from_chars, not strtod: strtod also reads hex ("0x10" as 16 %), skips
  // leading blanks and turns an underflow ("1e-400") into 0 without a word.
  const auto [end, ec] = std::from_chars(pct.data(), pct.data() + pct.size(), g.max_percent);
  if (pct.empty() || ec != std::errc() || end != pct.data() + pct.size() || !std::isfinite(g.max_percent) ||
      g.max_percent < 0) {
    throw InputError("--max-regression " + std::string(spec) + ": '" + std::string(spec.substr(eq + 1)) +
                     "' is not a non-negative percentage");
  }
  bool matched = false;
  bool in_both = false;
  bool compared = false;
  for (const DiffRow& r : d.rows) {
    if (!matches(r, g.figure)) continue;
    matched = true;
    in_both = in_both || (r.in_base && r.in_next);
    // Null in both (a hit rate of no allocations) was compared: unchanged.
    // Null on one side only (the hit rate of a class that had allocations
    // in one run alone) has no change to measure against the limit.
    compared = compared || (r.in_base && r.in_next && r.base.has_value() == r.next.has_value());
    // A figure with no better direction gates on a change either way.
    const bool counts =
        r.verdict == Verdict::worse || (r.better == Better::none && r.verdict == Verdict::changed);
    if (!counts || !r.base || !r.next) continue;
    const bool past = !r.relative || std::fabs(*r.relative) * 100.0 > g.max_percent;
    if (!past) continue;
    g.passed = false;
    if (!g.message.empty()) g.message += "; ";
    g.message +=
        r.figure + " " + number_text(*r.base) + " -> " + number_text(*r.next) + " (" +
        (r.relative ? (r.change.real > 0 ? "+" : "") + number_text(*r.relative * 100.0) + " %" : "from 0") +
        ")";
  }
  // A figure of a class (workload, allocator, trace) that one report
  // lacks is a figure of the other: the gate compared nothing, and fails.
  for (const DiffRow& r : d.one_sided) matched = matched || matches(r, g.figure);
  if (!matched && std::any_of(d.ignored.begin(), d.ignored.end(),
                              [&](const DiffRow& r) { return matches(r, g.figure); })) {
    throw InputError("--max-regression " + std::string(spec) + ": '" + g.figure +
                     "' names no figure left to compare: --ignore left out every figure it names");
  }
  if (!matched) {
    throw InputError("--max-regression " + std::string(spec) + ": '" + g.figure +
                     "' names no figure of these reports (use a JSON name such as footprint_peak or "
                     "memory.footprint_peak)");
  }
  // A gate whose figures are all in one report only (pool.hit_rate against
  // a report of the system allocator) compared nothing: passing it would
  // tell CI that nothing got worse when nothing was measured.
  if (!compared) {
    g.passed = false;
    g.message = g.figure +
                (in_both ? " has a value in only one of the reports" : " is in only one of the reports") +
                ": nothing to compare";
  }
  if (!d.stopped.empty()) {
    g.passed = false;
    g.message = d.stopped.front();
  }
  d.gates.push_back(std::move(g));
}

void ignore_figures(Diff& d, std::string_view figure) {
  const auto named = [&](const DiffRow& r) {
    if (matches(r, figure)) return true;
    for (const std::string& p : {r.figure, r.plain}) {
      if (p.size() > figure.size() && p.compare(0, figure.size(), figure) == 0 && p[figure.size()] == '.')
        return true;
    }
    return false;
  };
  // Checked against every figure of the reports, those an earlier --ignore
  // left out included: "--ignore timing --ignore timing.ns_per_event" is
  // as good as the other order, not a usage error.
  const bool names_any = std::any_of(d.rows.begin(), d.rows.end(), named) ||
                         std::any_of(d.one_sided.begin(), d.one_sided.end(), named) ||
                         std::any_of(d.ignored.begin(), d.ignored.end(), named);
  if (!names_any) throw InputError("--ignore " + std::string(figure) + ": names no figure of these reports");
  for (std::vector<DiffRow>* rows : {&d.rows, &d.one_sided}) {
    const auto first =
        std::stable_partition(rows->begin(), rows->end(), [&](const DiffRow& r) { return !named(r); });
    d.ignored.insert(d.ignored.end(), std::make_move_iterator(first), std::make_move_iterator(rows->end()));
    rows->erase(first, rows->end());
  }
}

}  // namespace fa32::app::report
