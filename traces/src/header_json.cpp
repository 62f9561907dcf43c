// SPDX-License-Identifier: GPL-3.0-or-later
#include "header_json.hpp"

#include <set>
#include <stdexcept>

namespace fa32::traces::detail {
namespace {

// What a rejected header value was, for the error message. Never v.dump()
// of an array or object: dump() recurses once per nesting level, so a
// deeply nested value (200 KB of '[') overflowed the stack, and a shallow
// one was echoed whole into the message. Scalars are printed (dump() of one
// does not recurse), strings cut to a short excerpt.
std::string describe(const nlohmann::json& v) {
  constexpr std::size_t kMaxExcerpt = 40;
  switch (v.type()) {
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() <= kMaxExcerpt) return v.dump();
      // The cut may split a UTF-8 sequence: replace it rather than throw.
      return nlohmann::json(s.substr(0, kMaxExcerpt))
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
             "...";
    }
    default:
      return v.dump();
  }
}

}  // namespace

std::string duplicate_key_error(const std::string& key, const std::string& parent) {
  if (parent.empty()) return "duplicate header key \"" + key + "\"";
  return "duplicate key \"" + key + "\" in header key \"" + parent + "\"";
}

std::string parse_header_json(const char* begin, const char* end, nlohmann::json& out,
                              const std::string* within_key) {
  // Keys are tracked in the header object and the objects directly inside
  // it (depth 1 and 2 of a whole header): any deeper value is refused by
  // header_from_json anyway, and a set per level of a deeply nested value
  // would cost memory for nothing.
  std::string parent = within_key ? *within_key : std::string();
  std::set<std::string> keys[2];
  int depth = within_key ? 1 : 0;
  std::string error;
  auto check = [&](int /*nlohmann depth*/, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start || ev == E::array_start) {
      ++depth;
      if (depth <= 2) keys[depth - 1].clear();
    } else if (ev == E::object_end || ev == E::array_end) {
      --depth;
    } else if (ev == E::key && depth <= 2 && error.empty()) {
      const std::string& k = parsed.get_ref<const std::string&>();
      if (depth == 1) parent = k;
      if (!keys[depth - 1].insert(k).second) error = duplicate_key_error(k, depth == 1 ? "" : parent);
    }
    return true;
  };
  out = nlohmann::json::parse(begin, end, check, false);
  if (out.is_discarded()) return "the header is not valid JSON";
  return error;
}

std::string check_version(std::uint64_t version) {
  if (version == 0) return "version 0 is not a valid trace version";
  if (version > kFormatVersion) {
    return "trace format version " + std::to_string(version) + " is newer than this reader supports (" +
           std::to_string(kFormatVersion) + "); upgrade fa32";
  }
  return {};
}

std::string header_from_json(const nlohmann::json& j, TraceHeader& h, bool require_format) {
  if (!j.is_object()) return "the header is not a JSON object";
  // Said before any unknown key: a report or a config given where a trace
  // belongs was told 'unknown header key "allocator"', which reads as a
  // broken trace rather than the wrong file.
  if (require_format && !j.contains("format")) {
    const auto command = j.find("command");
    if (j.contains("schema_version") || (command != j.end() && *command == "bench")) {
      return "not a trace but an fa32 report (what fa32 replay, stats or bench write with --format json): "
             "give the trace it was made from";
    }
    return "not an fa32 trace: the object has no \"format\": \"fa32-trace\"";
  }
  bool have_format = false;
  bool have_version = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    if (k == "format") {
      if (!v.is_string() || v.get<std::string>() != kFormatName) {
        return std::string("\"format\" is ") + describe(v) + ", not \"" + kFormatName +
               "\": not an fa32 trace";
      }
      have_format = true;
    } else if (k == "version") {
      if (!v.is_number_unsigned()) return "\"version\" must be a positive integer, got " + describe(v);
      std::string err = check_version(v.get<std::uint64_t>());
      if (!err.empty()) return err;
      h.version = static_cast<std::uint32_t>(v.get<std::uint64_t>());
      have_version = true;
    } else if (k == "id_bound" || k == "event_count") {
      if (!v.is_number_unsigned()) return "\"" + k + "\" must be a non-negative integer, got " + describe(v);
      (k == "id_bound" ? h.id_bound : h.event_count) = v.get<std::uint64_t>();
    } else if (k == "metadata") {
      if (!v.is_object()) return "\"metadata\" must be an object of strings, got " + describe(v);
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) {
          return "metadata value \"" + m.key() + "\" must be a string, got " + describe(m.value());
        }
        h.metadata[m.key()] = m.value().get<std::string>();
      }
    } else {
      return "unknown header key \"" + k + "\"";
    }
  }
  if (require_format && !have_format) return "the header has no \"format\": \"fa32-trace\"";
  if (require_format && !have_version) return "the header has no \"version\"";
  h.format = kFormatName;
  // The writers refuse such a header (check_header_size), so a trace with
  // one read as valid and then converted to no format, not even its own.
  // A JSON Lines header line is within the limit already; the binary and
  // JSON forms limit the header's raw bytes or each value, not this.
  if (const std::size_t line = header_text(h, true).size() + 1; line > kMaxTokenBytes) {
    return "the header is " + std::to_string(line) +
           " bytes as a JSON Lines line (newline included), over the 1 MiB (1048576 bytes) a trace header "
           "may "
           "take in every format";
  }
  return {};
}

nlohmann::ordered_json header_to_json(const TraceHeader& h, bool with_format) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (with_format) {
    j["format"] = kFormatName;
    j["version"] = kFormatVersion;
  }
  if (h.id_bound != 0) j["id_bound"] = h.id_bound;
  if (h.event_count != 0) j["event_count"] = h.event_count;
  if (!h.metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : h.metadata) m[k] = v;
    j["metadata"] = std::move(m);
  }
  return j;
}

std::string header_text(const TraceHeader& h, bool with_format) {
  return header_to_json(h, with_format)
      .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void check_header_size(const TraceHeader& h) {
  const std::size_t line = header_text(h, true).size() + 1;
  if (line > kMaxTokenBytes) {
    throw std::invalid_argument("the trace header is " + std::to_string(line) +
                                " bytes as JSON; readers take at most 1 MiB (1048576 bytes)");
  }
}

}  // namespace fa32::traces::detail
