// SPDX-License-Identifier: GPL-3.0-or-later
#include "fastalloc32.h"

extern "C" const char* fastalloc32_status_string(fastalloc32_status status) {
  switch (status) {
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
  }
  return "unknown status";
}
