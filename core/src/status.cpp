// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstring>

#include "fastalloc32.h"

static_assert(sizeof(fastalloc32_status) == sizeof(int), "a C caller passes the status as an int");

extern "C" const char* fastalloc32_status_string(fastalloc32_status status) {
  // A C enum is an int, so a C caller may pass any int. In C++ loading a
  // value outside the enumerators' range as the enum type is undefined
  // (UBSan's enum check aborts on it): read the bytes as the int they are.
  int value = 0;
  std::memcpy(&value, &status, sizeof value);
  switch (value) {
    case FASTALLOC32_OK:
      return "ok";
    case FASTALLOC32_E_NOMEM:
      return "out of memory";
    case FASTALLOC32_E_OVERFLOW:
      return "size overflow";
    case FASTALLOC32_E_BAD_ALIGNMENT:
      return "alignment not a power of two";
    case FASTALLOC32_E_INVALID_FREE:
      return "pointer not owned by this manager";
    case FASTALLOC32_E_DOUBLE_FREE:
      return "double free";
    case FASTALLOC32_E_INTERIOR_POINTER:
      return "pointer inside a block, not at its start";
    case FASTALLOC32_E_BAD_CONFIG:
      return "invalid configuration";
    case FASTALLOC32_E_CORRUPT:
      return "broken invariant";
    default:
      return "unknown status";
  }
}
