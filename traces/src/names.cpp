// SPDX-License-Identifier: GPL-3.0-or-later
#include <array>

#include "fa32/traces/event.hpp"
#include "fa32/traces/format.hpp"

namespace fa32::traces {
namespace {
constexpr std::array<std::string_view, op_count> kOpNames{"malloc", "calloc", "realloc", "free",
                                                          "aligned_alloc"};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

std::string_view op_name(Op op) {
  return kOpNames.at(static_cast<std::size_t>(op));
}

std::optional<Op> op_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<Op>(i);
  }
  return std::nullopt;
}

std::string_view format_name(Format f) {
  switch (f) {
    case Format::json:
      return "json";
    case Format::jsonl:
      return "jsonl";
    case Format::binary:
      return "binary";
  }
  return "unknown";
}

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "json") return Format::json;
  if (name == "jsonl" || name == "ndjson") return Format::jsonl;
  if (name == "binary" || name == "fa32") return Format::binary;
  return std::nullopt;
}

std::optional<Format> format_from_path(std::string_view path) {
  if (ends_with(path, ".gz")) path.remove_suffix(3);
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")) return Format::jsonl;
  if (ends_with(path, ".json")) return Format::json;
  if (ends_with(path, ".fa32") || ends_with(path, ".bin")) return Format::binary;
  return std::nullopt;
}

}  // namespace fa32::traces
