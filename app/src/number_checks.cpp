// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/number_checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace fa32::app {

namespace {

// unsigned_number's check, with the option's largest value.
std::string check_unsigned(std::string& text, std::uint64_t max) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};  // left to CLI11's conversion
  if (text[first] == '-') return "'" + text + "' is negative";
  // Decimal digits only: CLI11 converts with base 0, so "010" read as
  // 8 (octal), "08" failed and "0x10" read as 16. Leading zeros are
  // dropped, so what reaches the conversion is plain decimal.
  std::string digits = text.substr(first);
  if (digits.find_first_not_of("0123456789") != std::string::npos)
    return "'" + text + "' is not a whole number";
  const std::size_t nonzero = digits.find_first_not_of('0');
  digits = nonzero == std::string::npos ? "0" : digits.substr(nonzero);
  // strtoull gives 2^64 - 1 for anything larger, and CLI11 does not
  // look at errno.
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), nullptr, 10);
  if (errno == ERANGE || v > max) return "'" + text + "' is more than " + std::to_string(max);
  text = digits;
  return {};
}

}  // namespace

const CLI::Validator& unsigned_number() {
  static const CLI::Validator check(
      [](std::string& text) { return check_unsigned(text, std::numeric_limits<std::uint64_t>::max()); }, "",
      "unsigned");
  return check;
}

CLI::Validator unsigned_number(std::uint64_t max) {
  return CLI::Validator([max](std::string& text) { return check_unsigned(text, max); }, "", "unsigned");
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
