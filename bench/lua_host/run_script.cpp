// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_script.hpp"

namespace fa32::lua_host {
namespace {

struct Job {
  const std::string* path;
  const std::vector<std::string>* args;
  std::string* checksum;
};

// Runs in protected mode: errors unwind (longjmp) past this frame, so it
// holds nothing that needs a destructor.
int protected_run(lua_State* L) {
  auto* job = static_cast<Job*>(lua_touserdata(L, 1));
  luaL_openlibs(L);
  if (luaL_loadfile(L, job->path->c_str()) != LUA_OK) return lua_error(L);
  luaL_checkstack(L, static_cast<int>(job->args->size()) + 1, "too many script arguments");
  for (const std::string& a : *job->args) lua_pushlstring(L, a.data(), a.size());
  lua_call(L, static_cast<int>(job->args->size()), 1);
  if (lua_isnoneornil(L, -1)) return luaL_error(L, "%s returned no checksum", job->path->c_str());
  std::size_t len = 0;
  const char* text = luaL_tolstring(L, -1, &len);
  job->checksum->assign(text, len);
  return 0;
}

// Message handler: the error with a traceback.
int traceback(lua_State* L) {
  const char* msg = lua_tostring(L, 1);
  if (msg == nullptr) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

}  // namespace

ScriptResult run_script(lua_Alloc alloc, void* ud, const std::string& path,
                        const std::vector<std::string>& args) {
  ScriptResult r;
  lua_State* L = lua_newstate(alloc, ud);
  if (L == nullptr) {
    r.status = ScriptResult::Status::NoState;
    r.error = "cannot create a Lua state (not enough memory)";
    return r;
  }
  std::string checksum;
  Job job{&path, &args, &checksum};
  lua_pushcfunction(L, traceback);
  lua_pushcfunction(L, protected_run);
  lua_pushlightuserdata(L, &job);
  const int status = lua_pcall(L, 1, 0, 1);
  if (status == LUA_OK) {
    r.checksum = std::move(checksum);
  } else {
    r.status = status == LUA_ERRMEM ? ScriptResult::Status::OutOfMemory : ScriptResult::Status::Error;
    const char* msg = lua_tostring(L, -1);
    r.error = msg != nullptr ? msg : "(error without a message)";
  }
  lua_close(L);
  return r;
}

}  // namespace fa32::lua_host
