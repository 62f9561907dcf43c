// SPDX-License-Identifier: GPL-3.0-or-later
#include "json_event.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace fa32::traces::detail {
namespace {

using json = nlohmann::json;

enum class Field : std::uint8_t { none, op, id, size, count, alignment, thread, time_ns };

Field field_from_key(const std::string& k) {
  switch (k.size()) {
    case 2:
      if (k == "op") return Field::op;
      if (k == "id") return Field::id;
      break;
    case 4:
      if (k == "size") return Field::size;
      break;
    case 5:
      if (k == "count") return Field::count;
      break;
    case 6:
      if (k == "thread") return Field::thread;
      break;
    case 7:
      if (k == "time_ns") return Field::time_ns;
      break;
    case 9:
      if (k == "alignment") return Field::alignment;
      break;
    default:
      break;
  }
  return Field::none;
}

const char* field_name(Field f) {
  switch (f) {
    case Field::op:
      return "op";
    case Field::id:
      return "id";
    case Field::size:
      return "size";
    case Field::count:
      return "count";
    case Field::alignment:
      return "alignment";
    case Field::thread:
      return "thread";
    case Field::time_ns:
      return "time_ns";
    case Field::none:
      break;
  }
  return "?";
}

// The SAX handler: a flat object of known keys, each at most once.
class EventSax {
 public:
  explicit EventSax(Event& e) : e_(e) { e_ = Event{}; }

  bool null() { return bad_value("null"); }
  bool boolean(bool) { return bad_value("a boolean"); }
  bool number_integer(json::number_integer_t) {
    if (depth_ == 0) return bad_value("a number");
    return fail(std::string("\"") + field_name(field_) +
                "\" must be a non-negative integer, got a negative number");
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (depth_ == 0) return bad_value("a number");
    switch (field_) {
      case Field::id:
        e_.id = v;
        break;
      case Field::size:
        e_.size = v;
        break;
      case Field::count:
        e_.count = v;
        break;
      case Field::alignment:
        e_.alignment = v;
        break;
      case Field::time_ns:
        e_.time_ns = v;
        break;
      case Field::thread:
        if (v > 0xffffffffu) return fail("\"thread\" " + std::to_string(v) + " does not fit 32 bits");
        e_.thread = static_cast<std::uint32_t>(v);
        break;
      case Field::op:
        return fail("\"op\" must be a string such as \"malloc\", got a number");
      case Field::none:
        return fail("a value outside an object");
    }
    return true;
  }
  bool number_float(json::number_float_t, const std::string& s) {
    if (depth_ == 0) return bad_value("a number");
    return fail(std::string("\"") + field_name(field_) +
                "\" must be a non-negative integer below 2^64, got " + s);
  }
  bool string(std::string& s) {
    if (field_ != Field::op) return bad_value("a string");
    std::optional<Op> op = op_from_name(s);
    if (!op)
      return fail("unknown op \"" + s + "\" (expected malloc, calloc, realloc, free or aligned_alloc)");
    e_.op = *op;
    return true;
  }
  bool binary(json::binary_t&) { return bad_value("binary data"); }
  bool start_object(std::size_t) {
    if (depth_ != 0) return bad_value("an object");
    ++depth_;
    return true;
  }
  bool key(std::string& k) {
    field_ = field_from_key(k);
    if (field_ == Field::none) return fail("unknown event key \"" + k + "\"");
    unsigned bit = 1u << static_cast<unsigned>(field_);
    if (seen_ & bit) return fail("duplicate key \"" + k + "\"");
    seen_ |= bit;
    return true;
  }
  bool end_object() {
    if (!(seen_ & (1u << static_cast<unsigned>(Field::op)))) return fail("the event has no \"op\"");
    if (!(seen_ & (1u << static_cast<unsigned>(Field::id)))) return fail("the event has no \"id\"");
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 0) return fail("expected an event object, got an array");
    return bad_value("an array");
  }
  bool end_array() { return fail("unexpected ]"); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    offset_ = position == 0 ? 0 : position - 1;
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 5: ".
    std::string m = ex.what();
    auto colon = m.find(": ");
    message_ = colon == std::string::npos ? m : m.substr(colon + 2);
    if (message_.rfind("syntax error while parsing value - ", 0) == 0) message_ = message_.substr(35);
    message_ = "invalid JSON: " + message_;
    return false;
  }

  const std::string& message() const { return message_; }
  std::size_t offset() const { return offset_; }

 private:
  bool bad_value(const char* what) {
    if (depth_ == 0) return fail(std::string("expected an event object, got ") + what);
    return fail(std::string("\"") + field_name(field_) + "\" cannot be " + what);
  }
  bool fail(std::string m) {
    message_ = std::move(m);
    return false;
  }

  Event& e_;
  Field field_ = Field::none;
  unsigned seen_ = 0;
  int depth_ = 0;
  std::string message_;
  std::size_t offset_ = 0;
};

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

std::string parse_json_event(const char* begin, const char* end, Event& out, std::size_t* error_offset) {
  EventSax sax(out);
  if (json::sax_parse(begin, end, &sax)) return {};
  if (error_offset) *error_offset = sax.offset();
  return sax.message().empty() ? std::string("invalid event") : sax.message();
}

void append_json_event(std::string& out, const Event& e) {
  out += "{\"op\":\"";
  out += op_name(e.op);
  out += "\",\"id\":";
  append_uint(out, e.id);
  if (e.size != 0 || (e.op != Op::free)) {
    out += ",\"size\":";
    append_uint(out, e.size);
  }
  if (e.count != 1) {
    out += ",\"count\":";
    append_uint(out, e.count);
  }
  if (e.alignment != 0) {
    out += ",\"alignment\":";
    append_uint(out, e.alignment);
  }
  if (e.thread != 0) {
    out += ",\"thread\":";
    append_uint(out, e.thread);
  }
  if (e.time_ns != 0) {
    out += ",\"time_ns\":";
    append_uint(out, e.time_ns);
  }
  out += '}';
}

}  // namespace fa32::traces::detail
