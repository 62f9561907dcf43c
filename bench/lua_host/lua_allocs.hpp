// SPDX-License-Identifier: GPL-3.0-or-later
// The lua_Alloc functions the host can give a state besides
// fastalloc32_lua_alloc: the process's malloc, and a byte limit around
// either.
#pragma once

#include <cstddef>
#include <lua.hpp>

namespace fa32::lua_host {

// realloc/free of the process, as luaL_newstate's allocator does it. With
// LD_PRELOAD of another malloc this is that malloc. ud is unused.
void* system_lua_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize);

// A cap on Lua's live bytes around another lua_Alloc: requests that would
// take the total beyond limit fail (Lua raises "not enough memory").
struct MemLimit {
  lua_Alloc inner = nullptr;
  void* inner_ud = nullptr;
  std::size_t limit = 0;
  std::size_t used = 0;
};

// ud is a MemLimit*.
void* limited_lua_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize);

}  // namespace fa32::lua_host
