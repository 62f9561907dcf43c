// The hidden `fa32 bench-worker` subcommand: one benchmark run, in its own
// process, answering on standard output with one JSON object.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "fa32/app/bench/worker.hpp"
#include "fa32/app/cli.hpp"
#include "fa32/app/cmd_bench.hpp"
#include "fa32/app/replay/options.hpp"

namespace fa32::app {
namespace {

// SIGKILL when the bench that started this worker ends, however it ends
// (a signal to it alone, SIGKILL included): a worker left running replayed
// on until its repetitions were done, its timeout and memory watch gone
// with the bench. False when the bench is already gone (this process was
// handed to another parent before the request took effect).
bool die_with_parent(int parent) {
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);  // Linux: cannot fail with a valid signal
  return getppid() == parent;
}

}  // namespace

Command setup_bench_worker(CLI::App& app) {
  auto req = std::make_shared<bench::WorkerRequest>();
  auto kind = std::make_shared<std::string>("system");
  auto touch = std::make_shared<std::string>("first");
  CLI::App* sub = app.add_subcommand(bench::worker_command, "One run of fa32 bench (internal)");
  sub->group("");  // not listed in --help: only fa32 bench calls it
  sub->add_option("trace", req->trace, "Trace to replay")->required();
  sub->add_option("--kind", *kind, "fastalloc32, system or preload")
      ->check(CLI::IsMember({"fastalloc32", "system", "preload"}));
  sub->add_option("--fa32-config", req->fa32_config, "fastalloc32 settings");
  sub->add_option("--expect-library", req->expect_library, "Library LD_PRELOAD must have loaded");
  sub->add_flag("--probe", req->probe, "One untimed replay for the footprint and the checks");
  sub->add_option("--repetitions", req->repetitions, "Timed replays of the trace")
      ->check(CLI::Range(1, 1000000));
  sub->add_option("--memory-limit", req->memory_limit, "Most requested bytes live at once (bytes)");
  sub->add_option("--touch", *touch, "How the replays write into the blocks")
      ->check(CLI::IsMember({"none", "first", "all"}));
  sub->add_option("--parent", req->parent, "Pid of the fa32 bench to die with");
  return {sub, [req, kind, touch] {
            if (req->parent > 0 && !die_with_parent(req->parent))
              throw InputError("fa32 bench (pid " + std::to_string(req->parent) + ") is gone");
            req->kind = *kind == "fastalloc32" ? bench::AllocatorKind::fastalloc32
                        : *kind == "preload"   ? bench::AllocatorKind::preload
                                               : bench::AllocatorKind::system;
            req->touch = replay::touch_from_name(*touch).value_or(replay::Touch::first);
            const bench::WorkerResult r = bench::run_worker(*req);
            std::cout << bench::to_json_text(r) << '\n' << std::flush;
            return std::cout ? exit_ok : exit_bad_input;
          }};
}

}  // namespace fa32::app
