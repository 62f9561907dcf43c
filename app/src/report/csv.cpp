// SPDX-License-Identifier: GPL-3.0-or-later
#include "csv.hpp"

namespace fa32::app::report {

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace fa32::app::report
