// The trace header as JSON, shared by every format (the binary format
// embeds the same object), so headers round-trip exactly between formats.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fa32/traces/event.hpp"

namespace fa32::traces::detail {

inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr const char* kFormatName = "fa32-trace";
// Header objects, JSON lines and JSON events larger than this are rejected
// rather than buffered: memory stays bounded on hostile input.
inline constexpr std::size_t kMaxTokenBytes = 1 << 20;

// Parses JSON text that is a header object, or (within_key set) the value
// of that header key. nlohmann keeps the last of two equal keys silently,
// so a key given twice -- in the header or in an object inside it, such as
// "metadata" -- is reported here instead: what a reader makes of a header
// must not depend on which copy it keeps. Returns "" and fills out, or
// what was wrong ("the header is not valid JSON" or duplicate_key_error()).
std::string parse_header_json(const char* begin, const char* end, nlohmann::json& out,
                              const std::string* within_key = nullptr);
// The message for a key given twice: a header key (parent empty), or a key
// inside the value of header key parent.
std::string duplicate_key_error(const std::string& key, const std::string& parent);
// Fills h from a header object. require_format: "format" and "version" must
// be present (JSON forms); the binary form carries them in its preamble.
// Returns an empty string on success, otherwise what was wrong.
std::string header_from_json(const nlohmann::json& j, TraceHeader& h, bool require_format);
// The header object, keys in a fixed order; zero/empty fields are omitted.
nlohmann::ordered_json header_to_json(const TraceHeader& h, bool with_format);
// header_to_json as compact text for a writer. Bytes that are not UTF-8 (a
// file name or a command line in another encoding, put in the metadata)
// become U+FFFD: JSON text must be UTF-8, and a trace's header is no reason
// to refuse to write the trace.
std::string header_text(const TraceHeader& h, bool with_format);
// Throws std::invalid_argument for a header the readers would refuse: its
// JSON Lines line, newline included, must fit kMaxTokenBytes (the binary
// header, two keys shorter, then fits too), so what one format holds
// converts to the others.
void check_header_size(const TraceHeader& h);
// "version N is newer than ..." or "" when the version is supported.
std::string check_version(std::uint64_t version);

}  // namespace fa32::traces::detail
