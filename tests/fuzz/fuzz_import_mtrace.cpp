// libFuzzer target: `fa32 import --from mtrace`.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fa32::traces::fuzz::fuzz_import(data, size, fa32::traces::ImportFormat::mtrace);
}
