// Terminal colour for the text printers, or none.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace fa32::app::report {

struct Style {
  bool on = false;  // the caller checks the terminal and NO_COLOR
  std::string bold(std::string_view s) const;
  std::string red(std::string_view s) const;
  std::string green(std::string_view s) const;
  std::string yellow(std::string_view s) const;
};

}  // namespace fa32::app::report
