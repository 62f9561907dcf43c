// SPDX-License-Identifier: GPL-3.0-or-later
#include "header_json.hpp"
#include "writers.hpp"

namespace fa32::traces {
namespace {
std::unique_ptr<TraceWriter> make_writer(std::unique_ptr<detail::ByteSink> sink, Format format,
                                         const TraceHeader& header) {
  switch (format) {
    case Format::binary:
      return detail::make_binary_writer(std::move(sink), header);
    case Format::json:
      return detail::make_json_writer(std::move(sink), header, false);
    case Format::jsonl:
      return detail::make_json_writer(std::move(sink), header, true);
  }
  throw std::invalid_argument("unknown trace format");
}
}  // namespace

std::unique_ptr<TraceWriter> create_writer(const std::string& path, Format format,
                                           const TraceHeader& header) {
  // Before the file is created or truncated: a refused header leaves no output.
  detail::check_header_size(header);
  return make_writer(detail::open_file_sink(path), format, header);
}

std::unique_ptr<TraceWriter> create_writer(std::ostream& out, Format format, const TraceHeader& header) {
  detail::check_header_size(header);
  return make_writer(detail::stream_sink(out), format, header);
}

}  // namespace fa32::traces
