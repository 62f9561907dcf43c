// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/trace_output.hpp"

#include "fa32/app/cli.hpp"

namespace fa32::app {

traces::Format output_format(const std::string& to, const std::string& path) {
  if (!to.empty()) {
    auto f = traces::format_from_name(to);
    if (!f) throw InputError("--to " + to + ": unknown format (json, jsonl or binary)");
    return *f;
  }
  if (path == "-") return traces::Format::jsonl;
  auto f = traces::format_from_path(path);
  if (!f) {
    throw InputError(path +
                     ": cannot tell the output format from the extension (.json, .jsonl, .fa32); use --to");
  }
  return *f;
}

}  // namespace fa32::app
