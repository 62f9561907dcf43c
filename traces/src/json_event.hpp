// Parses one JSON event object, {"op":"malloc","id":7,"size":24}, with
// nlohmann/json's SAX interface: no DOM, no allocation per event beyond
// nlohmann's token buffer.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include "fa32/traces/event.hpp"

namespace fa32::traces::detail {

// Parses [begin, end) as exactly one event object. Returns "" on success,
// otherwise what was wrong; *error_offset is then the byte offset of the
// problem within the range.
std::string parse_json_event(const char* begin, const char* end, Event& out, std::size_t* error_offset);

// Appends the event's JSON object (no newline) to out. Keys in a fixed
// order; default-valued fields are omitted.
void append_json_event(std::string& out, const Event& e);

}  // namespace fa32::traces::detail
