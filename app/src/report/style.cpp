// SPDX-License-Identifier: GPL-3.0-or-later
#include "style.hpp"

#include <fmt/color.h>

namespace fa32::app::report {
namespace {
std::string styled(bool on, fmt::text_style ts, std::string_view s) {
  return on ? fmt::format(ts, "{}", s) : std::string(s);
}
}  // namespace

std::string Style::bold(std::string_view s) const {
  return styled(on, fmt::emphasis::bold, s);
}
std::string Style::red(std::string_view s) const {
  return styled(on, fmt::fg(fmt::terminal_color::red), s);
}
std::string Style::green(std::string_view s) const {
  return styled(on, fmt::fg(fmt::terminal_color::green), s);
}
std::string Style::yellow(std::string_view s) const {
  return styled(on, fmt::fg(fmt::terminal_color::yellow), s);
}

}  // namespace fa32::app::report
