/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fastalloc32.h with its attribute macros overridden one at a time, as its
 * comment invites: each must stand on its own, so that a user who defines
 * FASTALLOC32_ALLOC_SIZE (say, empty, for a checker that chokes on
 * alloc_size) still gets a FASTALLOC32_ALLOC_SIZE2 for calloc, and one who
 * defines only FASTALLOC32_ALLOC_SIZE2 does not see it redefined.
 * FA32_OVERRIDE picks which macro this translation unit overrides. */
#if FA32_OVERRIDE == 1
#define FASTALLOC32_ALLOC_SIZE(n)
#elif FA32_OVERRIDE == 2
#define FASTALLOC32_ALLOC_SIZE2(n, m)
#elif FA32_OVERRIDE == 3
#define FASTALLOC32_MALLOC_LIKE
#elif FA32_OVERRIDE == 4
#define FASTALLOC32_ALLOC_ALIGN(n)
#endif
#include "fastalloc32.h"

void* fa32_header_override_check(fastalloc32_mm* mm);

void* fa32_header_override_check(fastalloc32_mm* mm) {
  return fastalloc32_calloc(mm, 2, 8);
}
