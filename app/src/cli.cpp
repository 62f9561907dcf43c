// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cli.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "fa32/app/command.hpp"
#include "fa32/app/commands.hpp"
#include "fa32/app/memory_limit.hpp"
#include "fa32/traces/printable.hpp"
#include "fa32/traces/reader.hpp"

namespace fa32::app {
namespace {

constexpr const char* kFooter = R"(Exit codes:
  0  success, every check passed
  1  a check failed (a leak, a gate such as --min-pool-hit-rate or diff's
     --max-regression, a corruption)
  2  bad input or usage (unreadable or invalid trace or report, bad option)

Traces may be JSON, JSON Lines or binary; the format is sniffed from the
first bytes, and "-" means standard input or output.)";

// %*: the message with its control characters as \xNN (traces::printable).
// Messages quote paths and a trace's own bytes (an unknown op, a header
// key): a file named "x\e[2J.json" must not clear the user's terminal.
class PrintableMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string s = traces::printable(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PrintableMessage>();
  }
};

void setup_logging(int verbosity, bool quiet) {
  // Not registered by name: run() may be called more than once (tests).
  auto logger =
      std::make_shared<spdlog::logger>("fa32", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<PrintableMessage>('*').set_pattern("fa32: %^%l%$: %*");
  logger->set_formatter(std::move(formatter));
  spdlog::set_default_logger(logger);
  if (quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (verbosity >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (verbosity == 1) {
    spdlog::set_level(spdlog::level::debug);
  } else {
    spdlog::set_level(spdlog::level::info);
  }
}

// std::cout's buffer, passed through, keeping the errno of the first
// write that failed: once a write has failed std::cout writes nothing more,
// so by the time the command returns nothing says why ("standard output:
// write failed" on a full disk, without "No space left on device").
class ErrnoKeepingBuf : public std::streambuf {
 public:
  explicit ErrnoKeepingBuf(std::ostream& out) : out_(out), inner_(out.rdbuf()) { out_.rdbuf(this); }
  ~ErrnoKeepingBuf() override { out_.rdbuf(inner_); }
  ErrnoKeepingBuf(const ErrnoKeepingBuf&) = delete;
  ErrnoKeepingBuf& operator=(const ErrnoKeepingBuf&) = delete;
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return sync() == 0 ? traits_type::not_eof(c) : c;
    return kept([&] { return inner_->sputc(traits_type::to_char_type(c)); },
                [](int_type r) { return traits_type::eq_int_type(r, traits_type::eof()); });
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    return kept([&] { return inner_->sputn(s, n); }, [n](std::streamsize r) { return r != n; });
  }
  int sync() override {
    return kept([&] { return inner_->pubsync(); }, [](int r) { return r != 0; });
  }

 private:
  // write(), keeping the errno it failed with (errno is 0 before it, so a
  // stale one is not kept); errno as it was when it did not fail.
  template <class Write, class Failed>
  auto kept(Write write, Failed failed) -> decltype(write()) {
    const int before = errno;
    errno = 0;
    const auto result = write();
    if (!failed(result)) {
      errno = before;
    } else if (error_ == 0) {
      error_ = errno;
    }
    return result;
  }
  std::ostream& out_;
  std::streambuf* inner_;
  int error_ = 0;
};

// A report on standard output that could not be written (a full disk,
// /dev/full, a closed descriptor) is a failure like an unwritable -o FILE,
// whichever command wrote it: the exit code says so, not 0, and the
// message why.
int stdout_written(int code, const ErrnoKeepingBuf& kept) {
  errno = 0;
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return code;
  const int err = kept.error() != 0 ? kept.error() : errno;
  spdlog::error("standard output: write failed{}", err != 0 ? std::string(": ") + std::strerror(err) : "");
  return exit_bad_input;
}

}  // namespace

int run(int argc, char** argv) {
  ErrnoKeepingBuf kept(std::cout);  // not const: std::cout writes through it
  CLI::App app{"fa32: replay allocation traces through the fastalloc32 allocator and explain what it did",
               "fa32"};
  app.footer(kFooter);
  // A usage error reads like every other error of fa32, with its prefix.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return "fa32: error: " + CLI::FailureMessage::simple(a, e);
  });
  app.set_version_flag("--version", std::string(FA32_VERSION));
  app.require_subcommand(1);
  app.fallthrough();

  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More log output on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");

  std::vector<Command> commands = register_commands(app);

  // CLI11 says only "A subcommand is required" for `fa32 bogus`: name it.
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (!word.empty() && word[0] == '-') continue;  // -v, -q, --help, --version
    bool known = false;
    std::string names;
    for (const Command& c : commands) {
      known = known || c.app->check_name(word);
      if (!c.app->get_group().empty()) names += (names.empty() ? "" : ", ") + c.app->get_name();
    }
    if (known) break;
    std::cerr << "fa32: error: unknown command '" << word << "' (the commands: " << names
              << "; see fa32 --help)\n";
    return exit_bad_input;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; what they print
    // goes to standard output, which may be full like a report's.
    int code = app.exit(e);
    if (code != 0) return exit_bad_input;
    setup_logging(verbosity, quiet);
    return stdout_written(exit_ok, kept);
  }

  setup_logging(verbosity, quiet);
  try {
    for (const Command& c : commands) {
      if (c.app->parsed()) return stdout_written(c.run(), kept);
    }
    spdlog::error("no subcommand given; see fa32 --help");
    return exit_bad_input;
  } catch (const InputError& e) {
    spdlog::error("{}", e.what());
    return exit_bad_input;
  } catch (const traces::TraceError& e) {
    spdlog::error("{}", e.what());
    return exit_bad_input;
  } catch (const std::bad_alloc&) {
    // What a std::bad_alloc no command caught means: the message was a bare
    // "std::bad_alloc", with neither the cause nor the limit that was hit.
    spdlog::error("out of memory: the system refused fa32 the memory it needed{}",
                  address_space_limit_note());
    return exit_bad_input;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return exit_bad_input;
  }
}

}  // namespace fa32::app
