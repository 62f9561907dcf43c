// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cmd_record.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/app/output_check.hpp"
#include "fa32/app/process/spawn.hpp"
#include "fa32/app/record/convert_raw.hpp"
#include "fa32/app/remove_on_signal.hpp"
#include "fa32/app/shell_quote.hpp"
#include "fa32/record/raw_format.h"

namespace fa32::app {
namespace {

constexpr int kCannotRun = 127;  // like env(1) and the shells

// The child's environment: ours, with the recorder preloaded first (before
// any LD_PRELOAD already set) and told where to write.
std::vector<std::string> child_environment(const std::string& library, const std::string& dir, bool follow) {
  std::string preload = library;
  if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0')
    preload += ":" + std::string(old);
  std::vector<std::string> add = {"LD_PRELOAD=" + preload, std::string(FA32_RAW_ENV_DIR) + "=" + dir,
                                  std::string(FA32_RAW_ENV_PARENT_PID) + "=" + std::to_string(::getpid())};
  if (follow) add.push_back(std::string(FA32_RAW_ENV_FOLLOW) + "=1");
  return process::environment({"LD_PRELOAD", FA32_RAW_ENV_DIR, FA32_RAW_ENV_PARENT_PID, FA32_RAW_ENV_FOLLOW},
                              add);
}

// Removes the scratch directory however run_record leaves.
struct ScratchDir {
  std::string path;
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

pid_t g_child = 0;
void forward_signal(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

// While the program runs, ^C and ^\ go to it (same process group) and must
// not kill the recorder before it writes the trace; TERM and HUP are passed on.
class SignalGuard {
 public:
  explicit SignalGuard(pid_t child) {
    g_child = child;
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGINT, &ign, &old_int_);
    ::sigaction(SIGQUIT, &ign, &old_quit_);
    struct sigaction fwd {};
    fwd.sa_handler = forward_signal;
    ::sigaction(SIGTERM, &fwd, &old_term_);
    ::sigaction(SIGHUP, &fwd, &old_hup_);
  }
  ~SignalGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGQUIT, &old_quit_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGHUP, &old_hup_, nullptr);
    g_child = 0;
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_quit_{}, old_term_{}, old_hup_{};
};

int wait_for(pid_t pid, bool all_descendants) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  if (all_descendants) {
    // As a subreaper we inherit orphaned descendants: their raw files are
    // complete only once they have exited too.
    int other = 0;
    while (::waitpid(-1, &other, 0) > 0 || errno == EINTR) {
    }
  }
  return status;
}

int exit_code_of(const std::string& program, int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    spdlog::warn("{} was killed by signal {} (SIG{}); exit status {} = 128 + signal", program, sig,
                 name != nullptr ? name : "?", 128 + sig);
    return 128 + sig;
  }
  return kCannotRun;
}

// Why the recorder could not grow its file, for the warning.
std::string overflow_reason(int error) {
  if (error == 0) return "its reserved address space is full";
  if (error == EFBIG) return "the file size limit, ulimit -f, was reached";
  return std::strerror(error);
}

// The file size limit the program ran under (fa32's own, inherited), if any.
std::string file_size_limit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return "";
  return std::to_string(limit.rlim_cur);
}

std::string scratch_dir_for(const std::string& output) {
  // Absolute: the program may change its working directory.
  std::filesystem::path out = std::filesystem::absolute(output);
  std::filesystem::path parent = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
  // Beside the output: raw recordings can be large and /tmp may be memory.
  std::string templ = (parent / ".fa32-record-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw InputError("cannot create a scratch directory beside " + output + ": " + std::strerror(errno));
  }
  return templ;
}

}  // namespace

std::string find_record_library() {
  if (const char* env = std::getenv("FA32_RECORD_LIBRARY"); env != nullptr && *env != '\0') {
    if (::access(env, R_OK) != 0)
      throw InputError(std::string("FA32_RECORD_LIBRARY=") + env + ": not readable");
    return env;
  }
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw InputError("cannot find the fa32 executable to locate the recorder library");
  std::filesystem::path lib = std::filesystem::path(FA32_RECORD_LIBDIR);
  if (lib.is_relative()) lib = exe.parent_path() / ".." / lib;
  lib = (lib / "fa32" / "libfa32_record.so").lexically_normal();
  if (::access(lib.c_str(), R_OK) != 0) {
    throw InputError("the recorder library " + lib.string() +
                     " is missing (reinstall fa32, or point FA32_RECORD_LIBRARY at libfa32_record.so)");
  }
  return lib.string();
}

int run_record(const RecordOptions& options) {
  if (options.program.empty())
    throw InputError("record: no program given (fa32 record -- PROGRAM [ARGS...])");
  if (options.output == "-" || options.output.empty()) {
    // The program's own output goes to standard output too.
    throw InputError("record: -o needs a file name (standard output belongs to the program)");
  }
  const std::string library = find_record_library();
  const std::string program = options.program.front();
  // Before the program runs: an -o that names a directory or an unwritable
  // file was found only at the end, after the run, and the recording lost.
  check_output_writable(options.output);
  ScratchDir scratch{scratch_dir_for(options.output)};

  process::SpawnRequest request;
  request.program = program;
  request.args = options.program;
  request.env = child_environment(library, scratch.path, options.follow_forks);
  request.search_path = true;

  if (options.follow_forks) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  const process::Spawned spawned = process::spawn(request);
  if (spawned.pid < 0) {
    if (options.follow_forks) ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    spdlog::error("record: cannot run {}: {}", program, std::strerror(spawned.error));
    return kCannotRun;
  }
  const pid_t child = spawned.pid;
  int status = 0;
  {
    SignalGuard guard(child);
    status = wait_for(child, options.follow_forks);
  }
  if (options.follow_forks) ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  // The program has exited: a signal now ends fa32 (as in any other
  // command) during the conversion, and must not leave the raw recordings.
  const RemoveDirOnSignal remove_scratch_on_signal(scratch.path);
  auto processes = record::list_raw_files(scratch.path);
  // After an exec the signal killed another program than the one started
  // (`sh -c 'exec prog'`): the warning names the image that was running.
  std::string running = program;
  if (auto it = processes.find(child); it != processes.end()) {
    if (std::string last = record::running_program(it->second); !last.empty()) running = last;
  }
  const int exit_code = exit_code_of(running, status);

  traces::TraceHeader header;
  header.metadata["producer"] = std::string("fa32 record ") + FA32_VERSION;
  header.metadata["command"] = join_command(options.program);
  header.metadata["exit_code"] = std::to_string(exit_code);
  if (WIFSIGNALED(status)) header.metadata["signal"] = std::to_string(WTERMSIG(status));

  auto root = processes.find(child);
  if (root == processes.end()) {
    spdlog::warn(
        "record: {} did not load the recorder (statically linked or set-user-ID?), or found no room for its "
        "recording beside the output (a full disk{}){}: the trace is empty",
        program,
        file_size_limit().empty() ? ""
                                  : ", or the file size limit of " + file_size_limit() + " bytes, ulimit -f",
        // The program inherits fa32's limit: below about 64 MiB more than the
        // program itself maps, the recorder finds no room for its reservation.
        address_space_limit_kib().empty()
            ? ""
            : " or in its address space (the recorder reserves 64 MiB; the limit is " +
                  address_space_limit_kib() + " KiB, ulimit -v)");
    processes[child].pid = child;
    root = processes.find(child);
  }
  for (const auto& [pid, process] : processes) {
    if (pid != child && !options.follow_forks) continue;
    const std::string out = pid == child ? options.output : options.output + "." + std::to_string(pid);
    traces::TraceHeader h = header;
    if (pid != child) {
      h.metadata.erase("exit_code");
      h.metadata.erase("signal");
      h.metadata["parent_trace"] = options.output;
    }
    // A trace cut short by a full disk or the file size limit is removed.
    // A named reference: clang before 16 refuses to capture a structured binding.
    const record::RawProcess& raw = process;
    record::ConvertResult r;
    write_trace_file(out, [&] { r = record::convert_process(raw, out, h); });
    std::string extra;
    if (r.torn != 0) extra += "; " + std::to_string(r.torn) + " torn record(s) of calls cut short skipped";
    if (r.overflow)
      extra +=
          "; recording space ran out (" + overflow_reason(r.overflow_error) + "), later events are missing";
    if (r.images > 1) extra += "; " + std::to_string(r.images) + " program images (exec)";
    spdlog::info("record: {} (pid {}): {}{}", out, pid, r.stats.summary(), extra);
    if (!r.unrecorded_exec.empty()) {
      spdlog::warn(
          "record: pid {} exec'd {}, which did not load the recorder (statically linked, set-user-ID, or "
          "LD_PRELOAD dropped from its environment): {} ends at that exec",
          pid, r.unrecorded_exec, out);
    }
  }
  return exit_code;
}

Command setup_record(CLI::App& parent) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* app = parent.add_subcommand(
      "record",
      "Run PROGRAM with the allocation recorder preloaded and write its trace (exit status: the program's, "
      "128+N if signal N killed it, 127 if it could not be started)");
  app->add_option("-o,--output", options->output, "Trace file to write (binary format)")
      ->capture_default_str();
  app->add_flag("--follow-forks", options->follow_forks,
                "Also record forked children, one trace per process: OUTPUT.PID; waits for every descendant");
  app->add_option("program", options->program, "PROGRAM [ARGS...], after --")->required()->expected(-1);
  app->positionals_at_end();
  app->footer(R"(Exit status: the program's own; 128+N if signal N killed it (a warning names the
signal); 127 if it could not be started; 2 for a usage error, a missing recorder
library or a trace that cannot be written (what was written of it is removed).

The recorder library is found beside the fa32 executable (LIBDIR/fa32/libfa32_record.so);
FA32_RECORD_LIBRARY=PATH overrides it. A forked child is not recorded unless
--follow-forks is given; an exec keeps recording into the same trace. See docs/record.md.)");
  return Command{app, [options] { return run_record(*options); }};
}

}  // namespace fa32::app
