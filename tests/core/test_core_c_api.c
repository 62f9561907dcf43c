/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fastalloc32.h compiled as C (C99, pedantic): proves the public header is
 * valid C and that a C program can use every function it declares. Exits
 * non-zero on the first failed check. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fastalloc32.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

struct walk {
  int visited;
  size_t requested;
  int stop_after;
};

static int count_live(void* ptr, size_t requested, size_t reserved, fastalloc32_kind kind, void* user) {
  struct walk* w = (struct walk*)user;
  CHECK(ptr != NULL);
  CHECK(reserved >= requested);
  CHECK(kind != FASTALLOC32_KIND_NONE);
  w->visited++;
  w->requested += requested;
  return w->stop_after != 0 && w->visited >= w->stop_after;
}

static int errors_seen = 0;
static void on_error(fastalloc32_status status, const void* ptr, void* user) {
  (void)ptr;
  CHECK(user == &errors_seen);
  CHECK(status != FASTALLOC32_OK);
  errors_seen++;
}

static int all_bytes(const unsigned char* p, size_t n, unsigned char value) {
  size_t i;
  for (i = 0; i < n; i++)
    if (p[i] != value) return 0;
  return 1;
}

static void test_default_manager(void) {
  fastalloc32_mm* mm = fastalloc32_create();
  fastalloc32_stats stats;
  struct walk w;
  unsigned char *a, *b, *c, *d, *big;
  void* p;
  /* Not constants: with the header's alloc_size and alloc_align
   * attributes the compiler rejects such sizes and alignments at compile
   * time. */
  volatile size_t huge = SIZE_MAX / 2, not_pow2 = 48;
  CHECK(mm != NULL);
  if (mm == NULL) return;

  a = (unsigned char*)fastalloc32_malloc(mm, 40);
  CHECK(a != NULL);
  memset(a, 0xAB, 40);
  CHECK(fastalloc32_usable_size(mm, a) >= 40);
  CHECK(((uintptr_t)a % 16) == 0);
  CHECK(fastalloc32_kind_of(mm, a) == FASTALLOC32_KIND_POOL);

  b = (unsigned char*)fastalloc32_calloc(mm, 10, 12);
  CHECK(b != NULL && all_bytes(b, 120, 0));
  CHECK(fastalloc32_calloc(mm, huge, 3) == NULL); /* overflow */
  CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_OVERFLOW);

  a = (unsigned char*)fastalloc32_realloc(mm, a, 20000); /* pool -> large (the largest class is 16 KiB) */
  CHECK(a != NULL && all_bytes(a, 40, 0xAB));
  CHECK(fastalloc32_kind_of(mm, a) == FASTALLOC32_KIND_LARGE);

  c = (unsigned char*)fastalloc32_aligned_alloc(mm, 256, 100);
  CHECK(c != NULL && ((uintptr_t)c % 256) == 0);
  CHECK(fastalloc32_aligned_alloc(mm, not_pow2, 100) == NULL); /* not a power of two */

  big = (unsigned char*)fastalloc32_malloc(mm, (size_t)2 << 20);
  CHECK(big != NULL);
  if (big != NULL) big[((size_t)2 << 20) - 1] = 1;

  d = (unsigned char*)fastalloc32_lua_alloc(mm, NULL, 5 /* a Lua type tag */, 24);
  CHECK(d != NULL);
  memset(d, 0x5A, 24);
  d = (unsigned char*)fastalloc32_lua_alloc(mm, d, 24, 200);
  CHECK(d != NULL && all_bytes(d, 24, 0x5A));
  d = (unsigned char*)fastalloc32_lua_alloc(mm, d, 200, 8); /* shrink never fails */
  CHECK(d != NULL && all_bytes(d, 8, 0x5A));

  w.visited = 0;
  w.requested = 0;
  w.stop_after = 0;
  fastalloc32_for_each_live(mm, count_live, &w);
  CHECK(w.visited == 5);
  CHECK(w.requested == 20000 + 120 + 100 + ((size_t)2 << 20) + 8);
  w.visited = 0;
  w.stop_after = 2;
  fastalloc32_for_each_live(mm, count_live, &w);
  CHECK(w.visited == 2);

  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  CHECK(fastalloc32_get_stats(mm, &stats) == FASTALLOC32_OK);
  CHECK(stats.version == FASTALLOC32_STATS_VERSION);
  CHECK(stats.live_allocs.current == 5);
  CHECK(stats.mallocs >= 5);
  CHECK(stats.realloc_pool_to_large == 1); /* a: 40 -> 20000 */
  CHECK(stats.realloc_pool_to_pool == 1);  /* d: 24 -> 200 */
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);

  CHECK(fastalloc32_lua_alloc(mm, d, 8, 0) == NULL);
  fastalloc32_free(mm, a);
  fastalloc32_free(mm, b);
  fastalloc32_free(mm, c);
  fastalloc32_free(mm, big);
  fastalloc32_free(mm, NULL);
  p = fastalloc32_malloc(mm, 10);
  CHECK(p != NULL);
  CHECK(fastalloc32_realloc(mm, p, 0) == NULL); /* frees p */

  CHECK(fastalloc32_get_stats(mm, &stats) == FASTALLOC32_OK);
  CHECK(stats.live_allocs.current == 0);
  CHECK(stats.frees >= 5);
  w.visited = 0;
  w.stop_after = 0;
  fastalloc32_for_each_live(mm, count_live, &w);
  CHECK(w.visited == 0);
  fastalloc32_destroy(mm);
  fastalloc32_destroy(NULL);
}

static void test_configured_manager(void) {
  fastalloc32_config config;
  fastalloc32_status status = FASTALLOC32_E_CORRUPT;
  fastalloc32_class_stats cs;
  fastalloc32_mm* mm;
  void* p;
  uint32_t i;
  static const size_t sizes[] = {16, 32, 64, 128};

  fastalloc32_config_init(&config);
  CHECK(config.size == sizeof config);
  CHECK(config.version == FASTALLOC32_CONFIG_VERSION);
  config.class_count = 4;
  for (i = 0; i < 4; i++) config.block_sizes[i] = sizes[i];
  config.pool_size = 64 * 1024;
  config.on_error = on_error;
  config.error_user = &errors_seen;
  mm = fastalloc32_create_with(&config, &status);
  CHECK(mm != NULL && status == FASTALLOC32_OK);
  if (mm == NULL) return;
  CHECK(fastalloc32_class_count(mm) == 4);
  {
    fastalloc32_config running;
    CHECK(fastalloc32_get_config(mm, &running) == FASTALLOC32_OK);
    CHECK(running.class_count == 4 && running.pool_size == 64 * 1024);
  }

  p = fastalloc32_malloc(mm, 20);
  CHECK(p != NULL);
  CHECK(fastalloc32_get_class_stats(mm, 1, &cs) == FASTALLOC32_OK);
  CHECK(cs.block_size == 32 && cs.allocs == 1);
  CHECK(fastalloc32_get_class_stats(mm, 4, &cs) == FASTALLOC32_E_BAD_CONFIG);

  fastalloc32_free(mm, p);
  fastalloc32_free(mm, p); /* double free: detected, reported, ignored */
  CHECK(errors_seen == 1);
  CHECK(fastalloc32_last_status(mm) == FASTALLOC32_E_DOUBLE_FREE);
  CHECK(fastalloc32_check(mm) == FASTALLOC32_OK);
  fastalloc32_destroy(mm);

  config.alignment = 24; /* not a power of two */
  mm = fastalloc32_create_with(&config, &status);
  CHECK(mm == NULL && status == FASTALLOC32_E_BAD_CONFIG);
  CHECK(strcmp(fastalloc32_status_string(FASTALLOC32_OK), "ok") == 0);
  CHECK(fastalloc32_status_string(FASTALLOC32_E_DOUBLE_FREE) != NULL);
  /* A C enum is an int: any value may come in, and a name comes back. */
  CHECK(strcmp(fastalloc32_status_string((fastalloc32_status)99), "unknown status") == 0);
  CHECK(strcmp(fastalloc32_status_string((fastalloc32_status)-1), "unknown status") == 0);
}

int main(void) {
  test_default_manager();
  test_configured_manager();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C API: all checks passed\n");
  return 0;
}
