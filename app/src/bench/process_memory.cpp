// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/process_memory.hpp"

#include <fstream>
#include <string_view>

namespace fa32::app::bench {
namespace {

std::uint64_t status_kib(std::string_view key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ':') {
      return std::stoull(line.substr(key.size() + 1)) * 1024;
    }
  }
  return 0;
}

}  // namespace

std::uint64_t current_rss_bytes() {
  return status_kib("VmRSS");
}
std::uint64_t peak_rss_bytes() {
  return status_kib("VmHWM");
}

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

bool library_mapped(const std::string& library) {
  std::string base = library;
  if (auto slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() >= base.size() && line.compare(line.size() - base.size(), base.size(), base) == 0 &&
        line[line.size() - base.size() - 1] == '/') {
      return true;
    }
  }
  return false;
}

}  // namespace fa32::app::bench
