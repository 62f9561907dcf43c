// SPDX-License-Identifier: GPL-3.0-or-later
// The lua_Alloc-shaped entry point: Lua's single allocation callback mapped
// onto the manager's malloc/realloc/free.
#include "fastalloc32.h"
#include "manager.hpp"

namespace {

__attribute__((noinline)) void* lua_resize(fastalloc32_mm* mm, void* ptr, size_t osize, size_t nsize) {
  // A shrink must not fail: older Lua versions treat a NULL from one as
  // fatal. A pool block shrinks in place; one outside the pools may need a
  // new block (a large block comes back to a class), and when none can be
  // had it keeps the old one, which is still big enough. That is a success:
  // realloc_or_keep counts it as one (not as a failed allocation, and not
  // reported), at the size Lua now holds, so the stats match Lua's.
  if (nsize <= osize && !fa32::core::in_pools(*mm, ptr)) return fa32::core::realloc_or_keep(*mm, ptr, nsize);
  return fastalloc32_realloc(mm, ptr, nsize);
}

}  // namespace

extern "C" void* fastalloc32_lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* mm = static_cast<fastalloc32_mm*>(ud);
  if (mm == nullptr) return nullptr;
  // Most calls make a new object (osize is then a type tag): a tail call to
  // malloc's inline path, before anything is saved on the stack.
  if (ptr == nullptr) return nsize == 0 ? nullptr : fastalloc32_malloc(mm, nsize);
  if (nsize == 0) {
    fastalloc32_free(mm, ptr);
    return nullptr;
  }
  return lua_resize(mm, ptr, osize, nsize);
}
