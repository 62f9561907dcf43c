/* The less common corners of the allocation API, between two marker
 * allocations: alignments glibc does not take as given (not a power of
 * two, zero), calls that fail (calloc and reallocarray overflow, impossible
 * sizes, a bad posix_memalign alignment) and libc's own allocating functions.
 * Exits 0 if every call behaved as glibc documents it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARK_BEGIN 888001
#define MARK_END 888002

static void* volatile sink;

static void* use(void* p) {
  sink = p;
  return p;
}

int main(void) {
  int ok = 1;
  free(use(malloc(MARK_BEGIN)));
  /* glibc rounds an alignment up to a power of two (24 -> 32) and treats
   * 0 like a plain malloc. Through volatiles: compilers warn about
   * such constants. */
  volatile size_t odd = 24, none = 0;
  char* a = use(memalign(odd, 100));
  ok &= a != NULL && (uintptr_t)a % 32 == 0;
  if (a != NULL) a[0] = 'a';
  char* b = use(memalign(none, 50));
  ok &= b != NULL;
  /* Failures: NULL (or the error number), no block. */
  volatile size_t huge = SIZE_MAX / 2;
  errno = 0;
  ok &= use(calloc(huge, 4)) == NULL && errno == ENOMEM;
  ok &= use(malloc(huge * 2)) == NULL;
  void* c = NULL;
  ok &= posix_memalign(&c, 12, 100) == EINVAL && c == NULL;
  /* reallocarray's count * size overflows: NULL, and a live block stays. */
  errno = 0;
  ok &= use(reallocarray(NULL, huge, 4)) == NULL && errno == ENOMEM;
  ok &= use(reallocarray(a, huge, 4)) == NULL && a[0] == 'a';
  char* s = use(strdup("seven"));
  ok &= s != NULL && malloc_usable_size(s) >= 6;
  free(s);
  free(b);
  free(a);
  free(use(malloc(MARK_END)));
  return ok ? 0 : 1;
}
