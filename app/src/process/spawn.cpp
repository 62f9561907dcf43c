// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/process/spawn.hpp"

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

extern char** environ;

namespace fa32::app::process {
namespace {

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  p.reserve(strings.size() + 1);
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// posix_spawn's file actions, released however spawn returns.
class FileActions {
 public:
  FileActions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~FileActions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  bool redirect(int from, int to) {
    return from < 0 || posix_spawn_file_actions_adddup2(&actions_, from, to) == 0;
  }
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

// Set when ignore_file_size_signal changed SIGXFSZ from its default.
bool g_restore_file_size_signal = false;

// The spawn attributes: SIGXFSZ back to its default in the child when
// fa32 ignores it only for itself.
class SpawnAttributes {
 public:
  SpawnAttributes() {
    if (!g_restore_file_size_signal || posix_spawnattr_init(&attr_) != 0) return;
    initialised_ = true;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGXFSZ);
    ok_ = posix_spawnattr_setsigdefault(&attr_, &set) == 0 &&
          posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF) == 0;
  }
  ~SpawnAttributes() {
    if (initialised_) posix_spawnattr_destroy(&attr_);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  bool ok() const { return !g_restore_file_size_signal || ok_; }
  const posix_spawnattr_t* get() const { return initialised_ ? &attr_ : nullptr; }

 private:
  posix_spawnattr_t attr_{};
  bool initialised_ = false;
  bool ok_ = false;
};

}  // namespace

void ignore_file_size_signal() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old {};
  if (::sigaction(SIGXFSZ, &ignore, &old) == 0 && old.sa_handler == SIG_DFL)
    g_restore_file_size_signal = true;
}

std::vector<std::string> environment(std::initializer_list<std::string_view> drop,
                                     const std::vector<std::string>& add) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    if (std::find(drop.begin(), drop.end(), name) != drop.end()) continue;
    env.emplace_back(entry);
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

Spawned spawn(const SpawnRequest& r) {
  std::vector<std::string> args = r.args;
  std::vector<std::string> env = r.env;
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);
  FileActions actions;
  const SpawnAttributes attributes;
  if (!actions.ok() || !attributes.ok() || !actions.redirect(r.stdout_fd, STDOUT_FILENO) ||
      !actions.redirect(r.stderr_fd, STDERR_FILENO)) {
    return {-1, ENOMEM};
  }
  pid_t pid = -1;
  const int err =
      r.search_path
          ? posix_spawnp(&pid, r.program.c_str(), actions.get(), attributes.get(), argv.data(), envp.data())
          : posix_spawn(&pid, r.program.c_str(), actions.get(), attributes.get(), argv.data(), envp.data());
  if (err != 0) return {-1, err};
  return {pid, 0};
}

}  // namespace fa32::app::process
