// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "fa32/app/report/printers.hpp"

namespace fa32::app::report {

std::string human_bytes(std::uint64_t bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
  }
  return buf;
}

std::string format_value(const Figure& f, bool for_people) {
  char buf[64];
  switch (f.kind) {
    case Figure::Kind::none:
      return for_people ? "-" : "";
    case Figure::Kind::integer:
      return std::to_string(f.integer);
    case Figure::Kind::bytes:
      if (for_people && f.integer >= 1024)
        return std::to_string(f.integer) + " (" + human_bytes(f.integer) + ")";
      return std::to_string(f.integer);
    case Figure::Kind::ratio:
      if (for_people) {
        std::snprintf(buf, sizeof buf, "%.2f %%", f.real * 100.0);
      } else {
        std::snprintf(buf, sizeof buf, "%.6g", f.real);
      }
      return buf;
    case Figure::Kind::real:
      if (for_people && f.real >= 1000.0) {
        std::snprintf(buf, sizeof buf, "%.0f", f.real);
      } else if (for_people) {
        std::snprintf(buf, sizeof buf, "%.3f", f.real);
      } else {
        std::snprintf(buf, sizeof buf, "%.6g", f.real);
      }
      return buf;
    case Figure::Kind::text:
      return f.text;
    case Figure::Kind::boolean:
      return for_people ? (f.integer != 0 ? "yes" : "no") : (f.integer != 0 ? "true" : "false");
  }
  return {};
}

std::string json_value_text(const Figure& f) {
  if (f.kind == Figure::Kind::ratio || f.kind == Figure::Kind::real) return nlohmann::json(f.real).dump();
  return format_value(f, false);
}

}  // namespace fa32::app::report
