// SPDX-License-Identifier: GPL-3.0-or-later
// The lua_Alloc-shaped entry point: Lua's single allocation callback mapped
// onto the manager's malloc/realloc/free.
#include "fastalloc32.h"

extern "C" void* fastalloc32_lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* mm = static_cast<fastalloc32_mm*>(ud);
  if (mm == nullptr) return nullptr;
  if (nsize == 0) {
    fastalloc32_free(mm, ptr);  // free(NULL) is a no-op, as Lua expects
    return nullptr;
  }
  void* moved = fastalloc32_realloc(mm, ptr, nsize);
  // A failed shrink keeps the old block: it is still big enough, and older
  // Lua versions treat a NULL from a shrink as fatal.
  if (moved == nullptr && ptr != nullptr && nsize <= osize) return ptr;
  return moved;
}
