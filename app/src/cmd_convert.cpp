// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_convert.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/remove_on_signal.hpp"
#include "fa32/app/renumber_ids.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/app/trace_output.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app {

Command setup_convert(CLI::App& app) {
  auto opt = std::make_shared<ConvertOptions>();
  CLI::App* sub =
      app.add_subcommand("convert", "Convert a trace between JSON, JSON Lines and binary (lossless)");
  sub->add_option("IN", opt->input, "Input trace, any format, gzip or not (- = stdin)")->required();
  sub->add_option("OUT", opt->output, "Output trace (- = stdout)")->required();
  sub->add_option("--to", opt->to,
                  "Output format: json, jsonl or binary (default: from OUT's extension; stdout: jsonl)")
      ->check(CLI::IsMember({"json", "jsonl", "ndjson", "binary", "fa32"}));
  sub->add_flag("--renumber", opt->renumber,
                "Give the allocations dense, recycled ids (0, 1, 2, ...; a freed id is reused), for a trace "
                "whose ids are sparse or too large to replay");
  sub->footer(
      "Streams: memory stays flat whatever the trace length. The header (metadata, id_bound,\n"
      "event_count) and every event field are kept, so JSON -> binary -> JSON is exact.\n"
      "--renumber changes the ids only (memory grows with the live allocations); the header's\n"
      "id_bound is dropped, as it is not known until the end. A double free stays one while its\n"
      "new id is not given to a later allocation; after that it reads as a free of an id never\n"
      "allocated.");
  return {sub, [opt] { return run_convert(*opt); }};
}

int run_convert(const ConvertOptions& o) {
  traces::Format to = output_format(o.to, o.output);
  refuse_output_over_input(o.output, {o.input});
  auto reader = traces::open_trace(o.input);
  traces::TraceHeader header = reader->header();
  IdRenumberer renumberer;
  if (o.renumber) {
    header.id_bound = 0;
    header.metadata["renumbered"] = "fa32 convert --renumber";
  }
  // A malformed input event leaves the events before it (documented); a
  // failed write removes the output.
  write_trace_file(o.output, [&] {
    auto writer = traces::create_writer(o.output, to, header);
    const RemoveOnSignal remove_on_signal(o.output);
    std::vector<traces::Event> batch(4096);
    while (std::size_t n = reader->read(batch)) {
      if (o.renumber) {
        for (std::size_t i = 0; i < n; ++i) renumberer.apply(batch[i]);
      }
      writer->write(std::span<const traces::Event>(batch.data(), n));
    }
    writer->finish();
  });
  spdlog::debug("{}: {} events, {} -> {}", reader->source(), reader->events_read(),
                traces::format_name(reader->format()), traces::format_name(to));
  return exit_ok;
}

}  // namespace fa32::app
