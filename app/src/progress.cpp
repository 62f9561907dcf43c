// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace fa32::app {

Progress::Progress(std::uint64_t total, std::string unit)
    : total_(total),
      unit_(std::move(unit)),
      enabled_(isatty(STDERR_FILENO) == 1 && spdlog::should_log(spdlog::level::info)),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::operator()(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  if (total_ != 0) {
    const double f = std::min(1.0, double(done) / double(total_));
    const int filled = static_cast<int>(f * 30);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f %% %llu/%llu %s", filled, "##############################",
                 30 - filled, "", f * 100.0, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total_), unit_.c_str());
  } else {
    std::fprintf(stderr, "\r%llu %s", static_cast<unsigned long long>(done), unit_.c_str());
  }
  std::fflush(stderr);
}

}  // namespace fa32::app
