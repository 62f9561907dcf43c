// Format sniffing: binary magic, gzip magic (looked through), then a JSON
// object whose first line is a complete object without "events" (JSON
// Lines) or anything else starting with '{' (the single-object form).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstring>
#include <nlohmann/json.hpp>

#include "binary_format.hpp"
#include "header_json.hpp"
#include "readers.hpp"

namespace fa32::traces {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

std::optional<Format> sniff_text(std::string_view s, bool at_eof) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  std::size_t i = 0;
  while (i < s.size() && is_ws(s[i])) ++i;
  if (i == s.size() || s[i] != '{') return std::nullopt;
  std::size_t nl = s.find('\n', i);
  if (nl == std::string_view::npos) {
    if (!at_eof) return Format::json;  // a first line longer than the window: one big object
    nl = s.size();
  }
  nlohmann::json j = nlohmann::json::parse(s.begin() + static_cast<std::ptrdiff_t>(i),
                                           s.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
  if (!j.is_discarded() && j.is_object() && !j.contains("events")) return Format::jsonl;
  return Format::json;
}

std::unique_ptr<TraceReader> make_reader(std::unique_ptr<detail::ByteSource> src, Format f) {
  switch (f) {
    case Format::binary:
      return detail::make_binary_reader(std::move(src));
    case Format::json:
      return detail::make_json_reader(std::move(src));
    case Format::jsonl:
      return detail::make_jsonl_reader(std::move(src));
  }
  throw TraceError(src->name() + ": unknown format");
}

std::unique_ptr<TraceReader> sniff_and_open(std::unique_ptr<detail::ByteSource> src, bool allow_gzip = true) {
  std::size_t avail = src->ensure(sizeof detail::kBinaryMagic);
  if (avail == 0) throw TraceError(src->name() + ": empty input, not a trace");
  if (avail >= 2 && static_cast<unsigned char>(src->data()[0]) == 0x1f &&
      static_cast<unsigned char>(src->data()[1]) == 0x8b) {
    if (!allow_gzip) throw TraceError(src->name() + ": gzip inside gzip is not supported");
    return sniff_and_open(detail::gzip_source(std::move(src)), false);
  }
  if (avail >= sizeof detail::kBinaryMagic &&
      std::memcmp(src->data(), detail::kBinaryMagic, sizeof detail::kBinaryMagic) == 0) {
    return make_reader(std::move(src), Format::binary);
  }
  // Enough of the start to hold the first line (the JSON Lines header).
  avail = src->ensure(detail::kMaxTokenBytes);
  std::string_view window(src->data(), avail);
  std::optional<Format> f = sniff_text(window, avail < detail::kMaxTokenBytes);
  if (!f) {
    // Too little of a cut gzip stream inflated to tell what it holds.
    if (!src->cut().empty()) throw TraceError(src->cut(), true);
    throw TraceError(src->name() +
                     ": not a trace: expected binary fa32 magic bytes, a JSON object or JSON Lines (gzip "
                     "compressed or not)");
  }
  return make_reader(std::move(src), *f);
}

}  // namespace

std::optional<Format> sniff_format(std::string_view first_bytes) {
  if (first_bytes.size() >= sizeof detail::kBinaryMagic &&
      std::memcmp(first_bytes.data(), detail::kBinaryMagic, sizeof detail::kBinaryMagic) == 0) {
    return Format::binary;
  }
  return sniff_text(first_bytes, true);
}

std::unique_ptr<TraceReader> open_trace(const std::string& path) {
  return sniff_and_open(detail::open_file_source(path));
}

std::unique_ptr<TraceReader> open_trace(std::istream& in, const std::string& name) {
  return sniff_and_open(detail::stream_source(in, name));
}

std::unique_ptr<TraceReader> open_trace_bytes(std::string_view bytes, const std::string& name) {
  return sniff_and_open(detail::memory_source(bytes, name));
}

std::unique_ptr<TraceReader> open_trace_bytes(std::string_view bytes, const std::string& name,
                                              Format format) {
  return make_reader(detail::memory_source(bytes, name), format);
}

}  // namespace fa32::traces
