// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/report/json_text.hpp"

namespace fa32::app::report {

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_text(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace fa32::app::report
