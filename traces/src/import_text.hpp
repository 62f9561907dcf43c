// Small parsing helpers shared by the text-log importers.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fa32/traces/reader.hpp"

namespace fa32::traces::import_detail {

// "0x1f" / "1f" (hex=true) or "31"; nullopt unless the whole token is a number.
std::optional<std::uint64_t> parse_number(std::string_view s, bool hex);
// A pointer as printf's %p writes it: "0x55d0c2a4e2a0", or "(nil)" for NULL (0).
std::optional<std::uint64_t> parse_pointer(std::string_view s);
std::string_view trim(std::string_view s);

[[noreturn]] inline void fail(const std::string& name, std::uint64_t line, const std::string& what,
                              std::string_view text) {
  std::string shown(text.substr(0, 80));
  throw TraceError(name + ":" + std::to_string(line) + ": " + what + " in \"" + shown + "\"");
}

}  // namespace fa32::traces::import_detail
