// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/process_memory.hpp"

#include <filesystem>
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
  // /proc/self/maps names the file itself: resolve symlinks (Debian's
  // libmimalloc.so.2 -> libmimalloc.so.2.0) before comparing.
  std::error_code ec;
  std::string want = library;
  if (library.find('/') != std::string::npos) {
    const auto canonical = std::filesystem::canonical(library, ec);
    if (!ec) want = canonical.string();
  }
  const bool full_path = want.find('/') != std::string::npos;
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string_view path = std::string_view(line).substr(slash);
    if (full_path ? path == want : path.ends_with("/" + want)) return true;
  }
  return false;
}

}  // namespace fa32::app::bench
