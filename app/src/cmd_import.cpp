// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_import.hpp"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "fa32/app/cli.hpp"
#include "fa32/app/number_checks.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/remove_on_signal.hpp"
#include "fa32/app/same_file.hpp"
#include "fa32/traces/import.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app {
namespace {

// The first `left` bytes of another stream buffer. A log still being
// written (the MALLOC_TRACE of a program that runs on) grows between the
// two passes over a regular file: read whole, the second pass met more
// events than the header, written from the first, promised, and the import
// failed. Both passes read the size the file had when the import began.
class PrefixBuf : public std::streambuf {
 public:
  PrefixBuf(std::streambuf* inner, std::uint64_t size) : inner_(inner), left_(size) {}

 protected:
  int_type underflow() override {
    if (left_ == 0) return traits_type::eof();
    const std::streamsize n =
        inner_->sgetn(buf_, static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof buf_, left_)));
    if (n <= 0) return traits_type::eof();
    left_ -= static_cast<std::uint64_t>(n);
    setg(buf_, buf_, buf_ + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::streambuf* inner_;
  std::uint64_t left_;
  char buf_[1 << 16];
};

traces::Format output_format(const ImportOptions& o) {
  if (!o.format.empty()) {
    auto f = traces::format_from_name(o.format);
    if (!f) throw InputError("import: unknown output format \"" + o.format + "\" (json, jsonl, binary)");
    return *f;
  }
  return traces::format_from_path(o.output).value_or(traces::Format::binary);
}

}  // namespace

int run_import(const ImportOptions& o) {
  auto from = traces::import_format_from_name(o.from);
  if (!from) throw InputError("import: unknown input format \"" + o.from + "\" (mtrace, logalloc)");
  traces::ImportOptions import_options;
  import_options.pid = o.pid;
  const traces::Format format = output_format(o);
  refuse_output_over_input(o.output, {o.input});

  // A regular file is read twice (the first pass counts, so the header
  // carries the event count and id bound); standard input, a pipe or any
  // other stream is read once, as it cannot be read again.
  std::unique_ptr<std::ifstream> file;
  std::istream* in = &std::cin;
  const std::string name = o.input == "-" ? "<stdin>" : o.input;
  traces::TraceHeader header;
  header.metadata["producer"] =
      std::string("fa32 import --from ") + std::string(traces::import_format_name(*from));
  header.metadata["source"] = name;
  if (o.input != "-") {
    file = std::make_unique<std::ifstream>(o.input, std::ios::binary);
    if (!*file) throw InputError("import: cannot open " + o.input);
    in = file.get();
  }
  struct stat st {};
  std::unique_ptr<PrefixBuf> prefix;
  std::unique_ptr<std::istream> prefix_in;
  const bool have_stat = o.input != "-" && stat(o.input.c_str(), &st) == 0;
  // A directory opens, and its first read fails only after the output was
  // created: a truncated trace left behind and "read error after line 0".
  if (have_stat && S_ISDIR(st.st_mode)) throw InputError("import: " + o.input + " is a directory, not a log");
  if (have_stat && S_ISREG(st.st_mode)) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    prefix = std::make_unique<PrefixBuf>(file->rdbuf(), size);
    std::istream counted(prefix.get());
    traces::ImportBuilder counter(nullptr);
    traces::import_log(*from, counted, name, counter, import_options);
    const traces::ImportStats& s = counter.finish();
    header.event_count = s.events;
    header.id_bound = s.id_bound;
    s.add_to(header.metadata, "");
    if (file->rdbuf()->pubseekpos(0) != 0) throw InputError("import: cannot read " + o.input + " again");
    prefix = std::make_unique<PrefixBuf>(file->rdbuf(), size);
    prefix_in = std::make_unique<std::istream>(prefix.get());
    in = prefix_in.get();
  }
  // A write error removes the output (write_trace_file).
  write_trace_file(o.output, [&] {
    auto writer = traces::create_writer(o.output, format, header);
    const RemoveOnSignal remove_on_signal(o.output);
    traces::ImportBuilder builder(writer.get());
    try {
      traces::import_log(*from, *in, name, builder, import_options);
      // std::cin reads through stdio, whose read errors look like an end of
      // file to the stream (no badbit, unlike a file's): a standard input
      // that could not be read (closed, a directory) imported as an empty
      // or shorter log, exit 0.
      const int err = errno;
      if (in == &std::cin && std::ferror(stdin) != 0) {
        throw InputError(name + ": read error" + (err != 0 ? std::string(": ") + std::strerror(err) : ""));
      }
    } catch (const traces::WriteError&) {
      throw;
    } catch (...) {
      // Only a log read once (a pipe) gets here with events behind it: a
      // regular file failed in the counting pass. Its events before the bad
      // line are kept; the unfinished trace reads as truncated, as a convert
      // stopped by a bad event does. A write error here must not hide the
      // log's error, which is the one the user needs: it is said besides,
      // and the output, which lacks some of those events, removed.
      try {
        builder.flush();
        writer->flush();  // else its destructor would, and hide a failure
      } catch (const traces::WriteError& e) {
        spdlog::error("{}{}", e.what(), remove_incomplete_output(o.output));
      } catch (...) {
      }
      throw;
    }
    const traces::ImportStats& s = builder.finish();
    writer->finish();
    spdlog::info("import: {}: {}", o.output == "-" ? "<stdout>" : o.output, s.summary());
  });
  return exit_ok;
}

Command setup_import(CLI::App& parent) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* app = parent.add_subcommand(
      "import",
      "Convert an allocation log written by another tool (glibc mtrace, Mozilla logalloc) to a trace");
  app->add_option("--from", o->from,
                  "Input format: mtrace (glibc MALLOC_TRACE log) or logalloc (raw or munged)")
      ->required();
  app->add_option("input", o->input, "The log file, - for standard input")->required();
  app->add_option("-o,--output", o->output, "Trace to write, - for standard output")->capture_default_str();
  // --to as in gen and convert; --format, its first name, still works.
  app->add_option("--to,--format", o->format,
                  "Output format: binary, json or jsonl (default: by extension, else binary, also on "
                  "standard output)");
  CLI::Option* pid =
      app->add_option("--pid", o->pid, "logalloc: the process to import (default: the first one in the log)")
          ->transform(unsigned_number());
  app->footer(
      "A log in a regular file is read twice, so that the trace's header carries its event count\n"
      "and id bound (a log still being written is read as far as it went when the import began);\n"
      "standard input or a pipe is read once, and the header leaves them out. A malformed line\n"
      "fails the import: from a file nothing is written; from a pipe the trace keeps the events\n"
      "before it and reads as truncated. A trace that cannot be written whole (a full disk, the file\n"
      "size limit) is removed.\n"
      "\n"
      "Exit codes:\n"
      "  0  the trace is written\n"
      "  2  bad input or usage (an unreadable or malformed log, an output that cannot be written,\n"
      "     the output naming the input, a bad option)");
  return Command{
      app, [o, pid] {
        // An mtrace log has no pids: a --pid there was ignored, the
        // whole log imported as if it had been honoured.
        if (pid->count() > 0 && o->from == "mtrace") {
          throw InputError("import: --pid is for --from logalloc (an mtrace log has no process ids)");
        }
        return run_import(*o);
      }};
}

}  // namespace fa32::app
