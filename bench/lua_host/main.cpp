// SPDX-License-Identifier: GPL-3.0-or-later
// fa32_lua_host: runs a Lua 5.4 script on fastalloc32 (default config) or
// on the process's malloc, and prints its checksum, CPU time and peak
// resident memory, so the allocators can be compared on real Lua programs
// (bench/run-lua-host.sh).
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fa32/app/bench/process_memory.hpp"
#include "fa32_stats.hpp"
#include "fastalloc32.h"
#include "lua_allocs.hpp"
#include "options.hpp"
#include "run_script.hpp"

namespace fa32::lua_host {
namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Run {
  ScriptResult result;
  double cpu = 0;
};

// One timed run: from creating the allocator and the state to lua_close.
Run run_once(const Options& o) {
  Run run;
  const double start = cpu_seconds();
  fastalloc32_mm* mm = nullptr;
  lua_Alloc alloc = system_lua_alloc;
  void* ud = nullptr;
  if (o.alloc == AllocKind::Fa32) {
    if (o.preset.empty() && !o.no_huge_pages) {
      mm = fastalloc32_create();  // the default config: what a user gets
    } else {
      fastalloc32_config c;
      fastalloc32_config_init(&c);
      // parse_options checked the preset's name.
      if (!o.preset.empty()) fastalloc32_config_preset(&c, o.preset.c_str());
      if (o.no_huge_pages) c.huge_pages = 0;
      mm = fastalloc32_create_with(&c, nullptr);
    }
    if (mm == nullptr) {
      run.result.status = ScriptResult::Status::NoState;
      run.result.error = "fastalloc32_create failed (not enough memory)";
      return run;
    }
    alloc = fastalloc32_lua_alloc;
    ud = mm;
  }
  MemLimit limit{alloc, ud, o.max_mem, 0};
  if (o.max_mem != 0) {
    alloc = limited_lua_alloc;
    ud = &limit;
  }
  run.result = run_script(alloc, ud, o.script, o.script_args);
  run.cpu = cpu_seconds() - start;
  if (mm != nullptr) {
    if (o.stats && !print_fa32_stats(mm, stderr)) std::fprintf(stderr, "fastalloc32 stats: unavailable\n");
    fastalloc32_destroy(mm);
  }
  return run;
}

int run_all(const Options& o) {
  // A preload that failed to load (ld.so only warns), or a library that is
  // no allocator, leaves the process on glibc: its figures would stand
  // under the other allocator's name.
  if (!o.expect_malloc.empty() && !(fa32::app::bench::library_mapped(o.expect_malloc) &&
                                    fa32::app::bench::allocator_is(o.expect_malloc))) {
    std::fprintf(stderr, "fa32_lua_host: malloc and free are not %s's (did its LD_PRELOAD take?)\n",
                 o.expect_malloc.c_str());
    return 1;
  }
  // What the runs add to the resident set: its peak over the one the
  // process started with (the interpreter, and a preloaded allocator's own
  // library, are in both).
  const std::uint64_t rss_start = fa32::app::bench::current_rss_bytes();
  std::string checksum;
  std::vector<double> cpu;
  for (int i = 0; i < o.repeat; ++i) {
    Run run = run_once(o);
    const ScriptResult& r = run.result;
    if (r.status != ScriptResult::Status::Ok) {
      const char* what = r.status == ScriptResult::Status::Error ? "error" : "allocation failure";
      std::fprintf(stderr, "fa32_lua_host: %s (alloc %s, run %d): %s\n", what, alloc_name(o.alloc), i + 1,
                   r.error.c_str());
      return 1;
    }
    if (i > 0 && r.checksum != checksum) {
      std::fprintf(stderr, "fa32_lua_host: run %d returned checksum %s, run 1 returned %s\n", i + 1,
                   r.checksum.c_str(), checksum.c_str());
      return 1;
    }
    checksum = r.checksum;
    cpu.push_back(run.cpu);
  }
  double total = 0;
  for (double c : cpu) total += c;
  std::printf("script: %s\nalloc: %s\n", o.script.c_str(), alloc_name(o.alloc));
  if (!o.preset.empty()) std::printf("preset: %s\n", o.preset.c_str());
  if (o.no_huge_pages) std::printf("huge_pages: 0\n");
  std::printf("runs: %d\nchecksum: %s\ncpu_seconds: %.6f\n", o.repeat, checksum.c_str(),
              total / static_cast<double>(cpu.size()));
  if (cpu.size() > 1) {
    std::printf("cpu_seconds_each:");
    for (double c : cpu) std::printf(" %.6f", c);
    std::printf("\n");
  }
  const std::uint64_t rss_peak = fa32::app::bench::peak_rss_bytes();
  if (rss_start != 0 && rss_peak != 0) {  // 0: the kernel gives none
    std::printf("peak_rss_growth_bytes: %llu\n",
                static_cast<unsigned long long>(rss_peak > rss_start ? rss_peak - rss_start : 0));
  }
  return 0;
}

}  // namespace
}  // namespace fa32::lua_host

int main(int argc, char** argv) {
  using namespace fa32::lua_host;
  std::vector<std::string> args(argv + 1, argv + argc);
  ParseResult parsed = parse_options(args);
  if (parsed.help) {
    std::fputs(usage_text(), stdout);
    return 0;
  }
  if (!parsed.options) {
    std::fprintf(stderr, "fa32_lua_host: %s\n%s", parsed.error.c_str(), usage_text());
    return 2;
  }
  return run_all(*parsed.options);
}
