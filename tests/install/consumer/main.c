/* SPDX-License-Identifier: GPL-3.0-or-later
 * A C program built against the installed fastalloc32. */
#include <fastalloc32.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  fastalloc32_mm* mm = fastalloc32_create();
  fastalloc32_stats stats;
  char* text;
  if (mm == NULL) return 1;
  text = (char*)fastalloc32_malloc(mm, 32);
  if (text == NULL) return 1;
  strcpy(text, "installed fastalloc32");
  text = (char*)fastalloc32_realloc(mm, text, 10000);
  if (text == NULL || strcmp(text, "installed fastalloc32") != 0) return 1;
  fastalloc32_free(mm, text);
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  if (fastalloc32_get_stats(mm, &stats) != FASTALLOC32_OK) return 1;
  if (stats.mallocs != 1 || stats.live_allocs.current != 0) return 1;
  fastalloc32_destroy(mm);
  printf("consumer_c: ok\n");
  return 0;
}
