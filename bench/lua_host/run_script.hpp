// SPDX-License-Identifier: GPL-3.0-or-later
// One run of a Lua script in a fresh state on a given allocator.
#pragma once

#include <lua.hpp>
#include <string>
#include <vector>

namespace fa32::lua_host {

struct ScriptResult {
  enum class Status { Ok, NoState, Error, OutOfMemory };
  Status status = Status::Ok;
  std::string checksum;  // the script's return value, as tostring() gives it
  std::string error;     // the message (with a traceback for Lua errors)
};

// lua_newstate(alloc, ud), the standard libraries, then the script called
// with args as its chunk arguments; closes the state before returning.
// Everything after lua_newstate runs in protected mode, so an allocation
// failure anywhere is reported, never a panic.
ScriptResult run_script(lua_Alloc alloc, void* ud, const std::string& path,
                        const std::vector<std::string>& args);

}  // namespace fa32::lua_host
