// Constructors of the concrete readers; open_trace() picks one.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "byte_io.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::traces::detail {

std::unique_ptr<TraceReader> make_binary_reader(std::unique_ptr<ByteSource> src);
std::unique_ptr<TraceReader> make_json_reader(std::unique_ptr<ByteSource> src);
std::unique_ptr<TraceReader> make_jsonl_reader(std::unique_ptr<ByteSource> src);

}  // namespace fa32::traces::detail
