/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fastalloc32.h alone in a translation unit, compiled (not run) as C and as
 * C++11 under -Wall -Wextra -Wpedantic -Werror: the header must stand on
 * its own in every language version its users may pick. */
#include "fastalloc32.h"

size_t fa32_header_compile_check(void);

size_t fa32_header_compile_check(void) {
  fastalloc32_config c;
  fastalloc32_stats s;
  fastalloc32_config_init(&c);
  s.size = (uint32_t)sizeof s;
  return sizeof c + s.size + FASTALLOC32_MAX_CLASSES;
}
