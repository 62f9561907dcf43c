// Every JSON document the CLI prints goes through here, so none throws on
// text that is not UTF-8.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fa32::app::report {

// j as JSON text, indented by indent spaces (-1: one line). A trace's file
// name reaches the reports as the bytes the file system holds, which need
// not be UTF-8 (a Latin-1 "caf\xe9.fa32"); nlohmann's dump() threw on it
// (type_error 316) and the command printed no report at all. Such bytes
// become U+FFFD instead: JSON text must be UTF-8.
std::string json_text(const nlohmann::json& j, int indent = 2);
std::string json_text(const nlohmann::ordered_json& j, int indent = 2);

}  // namespace fa32::app::report
