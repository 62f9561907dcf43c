// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/number_checks.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace fa32::app {

const CLI::Validator& not_negative() {
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        const std::size_t first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] == '-') return "'" + text + "' is negative";
        return {};
      },
      "", "not negative");
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
