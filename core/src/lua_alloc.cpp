// SPDX-License-Identifier: GPL-3.0-or-later
// The lua_Alloc-shaped entry point: Lua's single allocation callback mapped
// onto the manager's malloc/realloc/free.
#include "fastalloc32.h"

namespace {

__attribute__((noinline)) void* lua_resize(fastalloc32_mm* mm, void* ptr, size_t osize, size_t nsize) {
  void* moved = fastalloc32_realloc(mm, ptr, nsize);
  // A failed shrink keeps the old block: it is still big enough, and older
  // Lua versions treat a NULL from a shrink as fatal.
  if (moved == nullptr && nsize <= osize) return ptr;
  return moved;
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
