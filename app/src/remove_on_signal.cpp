// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/remove_on_signal.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <csignal>
#include <cstring>

namespace fa32::app {
namespace {

constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
using Saved = std::array<struct sigaction, kSignals.size()>;

// Read by the handlers: fixed buffers, written before the handlers are set.
char g_path[PATH_MAX + 1];
volatile std::sig_atomic_t g_armed = 0;
Saved g_old;
char g_dir[PATH_MAX + 1];
volatile std::sig_atomic_t g_dir_armed = 0;
Saved g_dir_old;

// Hands `sig` on to the handler that was there before ours (by default the
// process dies of it, so the exit status says what happened).
void reraise(int sig, const Saved& old) {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (kSignals[i] == sig) ::sigaction(sig, &old[i], nullptr);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
}

void remove_and_reraise(int sig) {
  if (g_armed != 0) ::unlink(g_path);
  g_armed = 0;
  reraise(sig, g_old);
}

// Only async-signal-safe calls: getdents64 (a plain system call) rather
// than readdir, which allocates. unlinkat without AT_REMOVEDIR never
// removes a directory and removes a symbolic link, not what it points to.
void remove_dir_and_reraise(int sig) {
  if (g_dir_armed != 0) {
    const int fd = ::open(g_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      alignas(dirent64) static char buf[8192];
      // Entries removed while listing may hide others: list again until
      // a round removes nothing.
      for (bool removed = true; removed;) {
        removed = false;
        ::lseek(fd, 0, SEEK_SET);
        ssize_t n = 0;
        while ((n = ::getdents64(fd, buf, sizeof buf)) > 0) {
          for (ssize_t off = 0; off < n;) {
            const auto* d = reinterpret_cast<const dirent64*>(buf + off);
            off += d->d_reclen;
            if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
            if (::unlinkat(fd, d->d_name, 0) == 0) removed = true;
          }
        }
      }
      ::close(fd);
    }
    ::rmdir(g_dir);
  }
  g_dir_armed = 0;
  reraise(sig, g_dir_old);
}

// Sets `handler` for each signal not ignored (nohup, a background job of a
// shell without job control: it stays ignored), saving the old ones.
void install(void (*handler)(int), Saved& old) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    ::sigaction(kSignals[i], nullptr, &old[i]);
    if (old[i].sa_handler == SIG_IGN) continue;
    ::sigaction(kSignals[i], &sa, nullptr);
  }
}

void restore(const Saved& old) {
  for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old[i], nullptr);
}

}  // namespace

RemoveOnSignal::RemoveOnSignal(const std::string& path) {
  if (path == "-" || path.empty() || path.size() > PATH_MAX || g_armed != 0) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  path.copy(g_path, path.size());
  g_path[path.size()] = '\0';
  install(remove_and_reraise, g_old);
  g_armed = 1;
  armed_ = true;
}

RemoveOnSignal::~RemoveOnSignal() {
  if (!armed_) return;
  g_armed = 0;
  restore(g_old);
}

RemoveDirOnSignal::RemoveDirOnSignal(const std::string& dir) {
  if (dir.empty() || dir.size() > PATH_MAX || g_dir_armed != 0) return;
  dir.copy(g_dir, dir.size());
  g_dir[dir.size()] = '\0';
  install(remove_dir_and_reraise, g_dir_old);
  g_dir_armed = 1;
  armed_ = true;
}

RemoveDirOnSignal::~RemoveDirOnSignal() {
  if (!armed_) return;
  g_dir_armed = 0;
  restore(g_dir_old);
}

}  // namespace fa32::app
