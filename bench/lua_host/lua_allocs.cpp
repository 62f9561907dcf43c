// SPDX-License-Identifier: GPL-3.0-or-later
#include "lua_allocs.hpp"

#include <cstdlib>

namespace fa32::lua_host {

void* system_lua_alloc(void* /*ud*/, void* ptr, std::size_t /*osize*/, std::size_t nsize) {
  if (nsize == 0) {
    std::free(ptr);
    return nullptr;
  }
  return std::realloc(ptr, nsize);
}

void* limited_lua_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* m = static_cast<MemLimit*>(ud);
  // With ptr NULL, osize is a type tag, not a size: nothing is held yet.
  const std::size_t old = ptr == nullptr ? 0 : osize;
  if (nsize > old && nsize - old > m->limit - m->used) return nullptr;
  void* p = m->inner(m->inner_ud, ptr, osize, nsize);
  // On failure (NULL with nsize > 0) the old block, if any, is still held.
  if (p != nullptr || nsize == 0) m->used = m->used - old + nsize;
  return p;
}

}  // namespace fa32::lua_host
