// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/number_checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace fa32::app {

const CLI::Validator& unsigned_number() {
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        const std::size_t first = text.find_first_not_of(" \t");
        if (first == std::string::npos) return {};  // left to CLI11's conversion
        if (text[first] == '-') return "'" + text + "' is negative";
        // strtoull, which CLI11 converts with, gives 2^64 - 1 for anything
        // larger, and CLI11 does not look at errno.
        errno = 0;
        char* end = nullptr;
        std::strtoull(text.c_str(), &end, 0);
        if (end != text.c_str() && errno == ERANGE) return "'" + text + "' is more than 18446744073709551615";
        return {};
      },
      "", "unsigned");
  return check;
}

const CLI::Validator& finite_number() {
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        // Text that is not a number at all is left to CLI11's conversion.
        if (end != text.c_str() && !std::isfinite(v)) return "'" + text + "' is not a finite number";
        return {};
      },
      "", "finite");
  return check;
}

}  // namespace fa32::app
