// SPDX-License-Identifier: GPL-3.0-or-later
#include "record_test_util.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <stdexcept>

extern char** environ;

namespace fa32::test {

int run_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                const std::string& log) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& x : extra_env) env.push_back(x);
  std::vector<char*> c_env, c_argv;
  for (auto& s : env) c_env.push_back(s.data());
  c_env.push_back(nullptr);
  std::vector<std::string> args = argv;
  for (auto& s : args) c_argv.push_back(s.data());
  c_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  pid_t pid = 0;
  int err = posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw std::runtime_error("cannot run " + args[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string fresh_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(FA32_TEST_WORKDIR) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

Trace read_trace(const std::string& path) {
  auto reader = traces::open_trace(path);
  Trace t;
  t.header = reader->header();
  traces::Event e;
  while (reader->next(e)) t.events.push_back(e);
  return t;
}

std::vector<traces::Event> between_markers(const std::vector<traces::Event>& events, std::uint64_t begin_size,
                                           std::uint64_t end_size) {
  std::size_t begin = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].op == traces::Op::malloc && events[i].size == begin_size) {
      begin = i;
      break;
    }
  }
  REQUIRE_MESSAGE(begin < events.size(), "begin marker not found");
  for (std::size_t i = begin; i < events.size(); ++i) {
    if (events[i].op == traces::Op::malloc && events[i].size == end_size) {
      for (std::size_t j = i + 1; j < events.size(); ++j) {
        if (events[j].op == traces::Op::free && events[j].id == events[i].id) {
          return {events.begin() + static_cast<std::ptrdiff_t>(begin),
                  events.begin() + static_cast<std::ptrdiff_t>(j + 1)};
        }
      }
    }
  }
  FAIL("end marker not found");
  return {};
}

std::vector<traces::Event> canonical(const std::vector<traces::Event>& events) {
  std::map<std::uint64_t, std::uint64_t> names;
  std::uint64_t next = 0;
  std::vector<traces::Event> out;
  for (traces::Event e : events) {
    e.time_ns = 0;
    if (e.op == traces::Op::realloc || e.op == traces::Op::free) {
      auto it = names.find(e.id);
      e.id = it == names.end() ? ~std::uint64_t{0} : it->second;
      if (e.op == traces::Op::free && it != names.end()) names.erase(it);
    } else {
      names[e.id] = next;
      e.id = next++;
    }
    out.push_back(e);
  }
  return out;
}

std::vector<traces::Event> as_mtrace_sees(const std::vector<traces::Event>& events) {
  std::vector<traces::Event> out;
  for (traces::Event e : events) {
    if (e.op == traces::Op::calloc || e.op == traces::Op::aligned_alloc) {
      e.size *= e.count;
      e.op = traces::Op::malloc;
    }
    e.count = 1;
    e.alignment = 0;
    e.thread = 1;
    e.time_ns = 0;
    out.push_back(e);
  }
  return out;
}

std::string describe(const traces::Event& e) {
  return std::string(traces::op_name(e.op)) + " id=" + std::to_string(e.id) +
         " size=" + std::to_string(e.size) + " count=" + std::to_string(e.count) +
         " align=" + std::to_string(e.alignment) + " thread=" + std::to_string(e.thread);
}

void check_sequence(const std::vector<traces::Event>& events, const std::vector<Expected>& expected) {
  REQUIRE(events.size() == expected.size());
  std::map<std::string, std::uint64_t> ids;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const traces::Event& e = events[i];
    const Expected& x = expected[i];
    INFO("event " << i << ": " << describe(e) << ", expected " << traces::op_name(x.op) << " " << x.name);
    CHECK(e.op == x.op);
    if (x.op == traces::Op::free) {
      CHECK(e.id == ids.at(x.name));
      ids.erase(x.name);
      continue;
    }
    CHECK(e.size == x.size);
    CHECK(e.count == x.count);
    CHECK(e.alignment == x.alignment);
    if (x.op == traces::Op::realloc) {
      CHECK(e.id == ids.at(x.name));
    } else {
      for (const auto& live : ids) {
        CHECK_MESSAGE(live.second != e.id, "id of live block " << live.first << " reused");
      }
      ids[x.name] = e.id;
    }
  }
}

}  // namespace fa32::test
