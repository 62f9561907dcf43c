// Constructors of the concrete writers; create_writer() picks one.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "byte_io.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::detail {

std::unique_ptr<TraceWriter> make_binary_writer(std::unique_ptr<ByteSink> sink, const TraceHeader& h);
// jsonl = false: the single-object form.
std::unique_ptr<TraceWriter> make_json_writer(std::unique_ptr<ByteSink> sink, const TraceHeader& h,
                                              bool jsonl);

}  // namespace fa32::traces::detail
