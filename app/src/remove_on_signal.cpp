// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/remove_on_signal.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <csignal>

namespace fa32::app {
namespace {

constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};

// Read by the handler: a fixed buffer, written before the handlers are set.
char g_path[PATH_MAX + 1];
volatile std::sig_atomic_t g_armed = 0;
struct sigaction g_old[kSignals.size()];

void remove_and_reraise(int sig) {
  if (g_armed != 0) ::unlink(g_path);
  g_armed = 0;
  // Die of the signal itself, so the exit status says what happened.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
}

}  // namespace

RemoveOnSignal::RemoveOnSignal(const std::string& path) {
  if (path == "-" || path.empty() || path.size() > PATH_MAX || g_armed != 0) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  path.copy(g_path, path.size());
  g_path[path.size()] = '\0';
  struct sigaction sa {};
  sa.sa_handler = remove_and_reraise;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    ::sigaction(kSignals[i], nullptr, &g_old[i]);
    // A signal the caller ignores (nohup, a background job of a shell
    // without job control) stays ignored.
    if (g_old[i].sa_handler == SIG_IGN) continue;
    ::sigaction(kSignals[i], &sa, nullptr);
  }
  g_armed = 1;
  armed_ = true;
}

RemoveOnSignal::~RemoveOnSignal() {
  if (!armed_) return;
  g_armed = 0;
  for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &g_old[i], nullptr);
}

}  // namespace fa32::app
