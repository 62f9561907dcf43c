// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_validate.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>

#include "fa32/app/cli.hpp"
#include "fa32/app/count_noun.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/replay/id_table.hpp"
#include "fa32/app/replay/replay_event.hpp"
#include "fa32/app/report/json_text.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/traces/printable.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"

namespace fa32::app {
namespace {

struct FileResult {
  std::string file;
  std::string format;
  traces::ValidationSummary summary;
  std::vector<std::string> errors;    // the first max_errors messages
  std::vector<std::string> warnings;  // what does not make the trace invalid but costs a replay
  std::string read_error;             // reading stopped here
};

// Ids the replayer cannot hold, or holds only in its slower hash table.
void check_ids(FileResult& r) {
  const auto& s = r.summary;
  using traces::Op;
  const std::uint64_t allocations = s.by_op[static_cast<std::size_t>(Op::malloc)] +
                                    s.by_op[static_cast<std::size_t>(Op::calloc)] +
                                    s.by_op[static_cast<std::size_t>(Op::aligned_alloc)];
  if (s.max_id > replay::ReplayEvent::max_id) {
    r.warnings.push_back(fmt::format(
        "id {} is 2^48 or more: fa32 replay cannot hold it; renumber the ids with fa32 convert --renumber",
        s.max_id));
  } else if (allocations != 0 && replay::ids_are_sparse(s.max_id, allocations)) {
    r.warnings.push_back(fmt::format(
        "sparse ids: the largest is {} for {}; fa32 replay keeps ids beyond {} (or {} per "
        "allocation) in a hash table, slower than its dense table; fa32 convert --renumber gives dense ids",
        s.max_id, count_noun(allocations, "allocation"), replay::dense_id_floor, replay::dense_id_density));
  }
}

FileResult validate_file(const std::string& file, const ValidateOptions& o) {
  FileResult r;
  r.file = file;
  traces::ValidationLimits limits;
  limits.max_size = o.max_size;
  traces::Validator v(limits);
  try {
    auto reader = traces::open_trace(file);
    r.format = std::string(traces::format_name(reader->format()));
    traces::Event e;
    // One event at a time, so the reader's position() is this event's.
    while (reader->next(e)) {
      if (auto err = v.check(e); err && r.errors.size() < o.max_errors) {
        r.errors.push_back(fmt::format("{}: event {} ({}): {}", reader->source(), err->event_index,
                                       reader->position(), err->what));
      }
    }
  } catch (const traces::TraceError& e) {
    r.read_error = e.what();
  } catch (const std::bad_alloc&) {
    // The id table grows with the distinct ids the trace has used (freed
    // ones too, to tell a double free): a trace of fresh ids can outgrow
    // the memory. Said as such, with the figures so far, not as a bare
    // "std::bad_alloc" without a summary.
    const std::uint64_t events = v.summary().events;
    r.read_error = fmt::format(
        "{}: event {}: no memory left for the table of ids ({} id slots held after {}): validate "
        "remembers every id the trace has used, freed ones too; fa32 convert --renumber gives dense, "
        "recycled ids, which need far less",
        file, events == 0 ? 0 : events - 1, v.slots_held(), count_noun(events, "event"));
  }
  r.summary = v.summary();
  check_ids(r);
  return r;
}

void print_text(const FileResult& r) {
  const auto& s = r.summary;
  // The file name, warnings and errors are anyone's text (see printable).
  using traces::printable;
  fmt::print("{}: {} format, {}", printable(r.file), r.format.empty() ? "unknown" : r.format,
             count_noun(s.events, "event"));
  std::string ops;
  for (int i = 0; i < traces::op_count; ++i) {
    if (s.by_op[static_cast<std::size_t>(i)] == 0) continue;
    ops += fmt::format("{}{} {}", ops.empty() ? "" : ", ", s.by_op[static_cast<std::size_t>(i)],
                       traces::op_name(static_cast<traces::Op>(i)));
  }
  fmt::print("{}\n", ops.empty() ? "" : " (" + ops + ")");
  fmt::print("  live at end: {}, {}\n", count_noun(s.live_count, "allocation"),
             count_noun(s.live_bytes, "byte"));
  fmt::print("  peak live: {}, {}; largest id {}\n", count_noun(s.peak_live_count, "allocation"),
             count_noun(s.peak_live_bytes, "byte"), s.max_id);
  for (const auto& w : r.warnings) fmt::print("  warning: {}\n", printable(w));
  fmt::print("  errors: {}\n", s.errors);
  for (const auto& e : r.errors) fmt::print("  {}\n", printable(e));
  if (s.errors > r.errors.size()) fmt::print("  ... {} more\n", s.errors - r.errors.size());
  if (!r.read_error.empty()) fmt::print("  unreadable: {}\n", printable(r.read_error));
}

nlohmann::ordered_json to_json(const FileResult& r) {
  const auto& s = r.summary;
  nlohmann::ordered_json j;
  j["file"] = r.file;
  j["format"] = r.format;
  j["events"] = s.events;
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (int i = 0; i < traces::op_count; ++i) {
    ops[std::string(traces::op_name(static_cast<traces::Op>(i)))] = s.by_op[static_cast<std::size_t>(i)];
  }
  j["by_op"] = ops;
  j["live_count"] = s.live_count;
  j["live_bytes"] = s.live_bytes;
  j["peak_live_count"] = s.peak_live_count;
  j["peak_live_bytes"] = s.peak_live_bytes;
  j["max_id"] = s.max_id;
  j["errors"] = s.errors;
  j["error_messages"] = r.errors;
  j["warnings"] = r.warnings;
  if (!r.read_error.empty()) j["read_error"] = r.read_error;
  return j;
}

}  // namespace

Command setup_validate(CLI::App& app) {
  auto opt = std::make_shared<ValidateOptions>();
  CLI::App* sub = app.add_subcommand("validate", "Check traces: syntax and meaning (ids, sizes, alignments)");
  sub->add_option("FILE", opt->files, "Traces, any format (- = stdin)")->required();
  sub->add_option("--max-errors", opt->max_errors, "Error messages printed per file")
      ->transform(unsigned_number())
      ->capture_default_str();
  sub->add_option("--max-size", opt->max_size, "Larger requests are errors (bytes)")
      ->transform(unsigned_number())
      ->capture_default_str();
  sub->add_flag("--json", opt->json, "Print the summaries as JSON (schema version 1)");
  sub->footer(
      "Checks: free or realloc of an id that is not live, double free, allocation of a live id,\n"
      "sizes beyond --max-size, calloc count * size overflow, alignment not a power of two,\n"
      "count or alignment on the wrong op; the readers reject unknown ops, negative numbers,\n"
      "newer format versions, truncation and corruption.\n"
      "Warns (exit 0) about sparse ids, which fa32 replay keeps in a slower hash table, and ids of\n"
      "2^48 or more, which it cannot replay: fa32 convert --renumber gives dense ids.\n"
      "Exit: 0 every file valid, 1 a semantic error was found, 2 a file is unreadable or malformed.");
  return {sub, [opt] { return run_validate(*opt); }};
}

int run_validate(const ValidateOptions& o) {
  refuse_stdin_twice(o.files);
  bool semantic = false;
  bool unreadable = false;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& f : o.files) {
    FileResult r = validate_file(f, o);
    semantic = semantic || r.summary.errors > 0;
    unreadable = unreadable || !r.read_error.empty();
    if (!r.read_error.empty()) spdlog::error("{}", r.read_error);
    for (const auto& w : r.warnings) spdlog::warn("{}: {}", r.file, w);
    if (o.json) {
      all.push_back(to_json(r));
    } else {
      print_text(r);
    }
  }
  if (o.json) {
    nlohmann::ordered_json doc;
    doc["schema"] = "fa32-validate";
    doc["version"] = 1;
    doc["files"] = std::move(all);
    // File names and the messages quoting them need not be UTF-8; JSON must be.
    fmt::print("{}\n", report::json_text(doc));
  }
  if (unreadable) return exit_bad_input;
  return semantic ? exit_check_failed : exit_ok;
}

}  // namespace fa32::app
