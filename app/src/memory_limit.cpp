// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/memory_limit.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <limits>
#include <string>

#include "fa32/app/cli.hpp"
#include "fa32/app/replay/allocator_config.hpp"
#include "fa32/app/report/printers.hpp"

namespace fa32::app {

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::uint64_t default_memory_limit() {
  const std::uint64_t phys = physical_memory_bytes();
  return phys == 0 ? std::uint64_t{4} << 30 : phys / 2;
}

void add_memory_limit_option(CLI::App& sub, std::string& text) {
  sub.add_option("--memory-limit", text,
                 "Most requested bytes live at once; a request that would go past it (aligned_alloc: "
                 "size plus alignment) is not made but counted as a failed allocation. Default: half the "
                 "physical memory (" +
                     report::human_bytes(default_memory_limit()) + " here); none: no limit")
      ->type_name("SIZE")
      // An empty value would read as "not given" and leave the default.
      ->check(CLI::Validator(
          [](std::string& v) { return v.empty() ? std::string("empty; give a size or none") : ""; }, "",
          "not empty"));
}

std::uint64_t resolve_memory_limit(const std::string& text) {
  if (text.empty()) return default_memory_limit();
  if (text == "none") return no_memory_limit;
  const auto v = replay::parse_size(text);
  if (!v && replay::size_too_large(text))
    throw InputError("--memory-limit: '" + text + "' is more than " +
                     std::to_string(std::numeric_limits<std::uint64_t>::max()));
  if (!v || *v == 0) {
    throw InputError("--memory-limit: '" + text + "' is not a size above 0 (e.g. 512M, 8G) or none");
  }
  return *v;
}

std::string describe_memory_limit(std::uint64_t limit) {
  if (limit == no_memory_limit) return "none";
  return report::human_bytes(limit) + " (" + std::to_string(limit) + " bytes)";
}

std::string address_space_limit_kib() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return "";
  return std::to_string(limit.rlim_cur / 1024);
}

std::string address_space_limit_note() {
  const std::string kib = address_space_limit_kib();
  return kib.empty() ? "" : " (the limit on address space, ulimit -v, is " + kib + " KiB)";
}

}  // namespace fa32::app
