// libFuzzer target: the jsonl reader.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fa32::traces::fuzz::fuzz_reader(data, size, fa32::traces::Format::jsonl);
}
