// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/process_memory.hpp"

#include <dlfcn.h>

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

namespace {

// The file a path or soname names, as /proc/self/maps and dladdr name it:
// symlinks resolved (Debian's libmimalloc.so.2 -> libmimalloc.so.2.0).
std::string resolved(const std::string& library) {
  if (library.find('/') == std::string::npos) return library;
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(library, ec);
  return ec ? library : canonical.string();
}

bool same_library(const std::string& file, const std::string& want) {
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(file, ec);
  const std::string path = ec ? file : canonical.string();
  return want.find('/') != std::string::npos ? path == want : path.ends_with("/" + want);
}

bool symbol_from(const char* symbol, const std::string& want) {
  void* address = ::dlsym(RTLD_DEFAULT, symbol);
  Dl_info info{};
  return address != nullptr && ::dladdr(address, &info) != 0 && info.dli_fname != nullptr &&
         same_library(info.dli_fname, want);
}

}  // namespace

bool allocator_is(const std::string& library) {
  const std::string want = resolved(library);
  return symbol_from("malloc", want) && symbol_from("free", want);
}

bool library_mapped(const std::string& library) {
  const std::string want = resolved(library);
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
