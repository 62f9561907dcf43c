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
