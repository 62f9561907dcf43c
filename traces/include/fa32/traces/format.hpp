// The trace formats and how to name them.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fa32::traces {

enum class Format {
  json,    // one object: {"format":"fa32-trace","version":1,...,"events":[...]}
  jsonl,   // JSON Lines: a header line, then one event object per line
  binary,  // compact varint records with a checksummed trailer
};

std::string_view format_name(Format f);
// "json", "jsonl", "binary" (also "fa32").
std::optional<Format> format_from_name(std::string_view name);
// By extension: .json, .jsonl/.ndjson, .fa32/.bin; nullopt otherwise.
std::optional<Format> format_from_path(std::string_view path);

}  // namespace fa32::traces
