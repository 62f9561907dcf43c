/* Four threads, each a known sequence of calls with sizes that encode the
 * thread and the index; pointers are handed between threads through a
 * shared slot array, so frees happen on other threads than the allocation
 * and addresses move between threads all the time.
 *   threads ITERATIONS     (3 events per iteration and thread)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define THREADS 4
#define SLOTS 64

static void* slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long iterations;

/* Sizes: malloc 4*k + t + 1, realloc 4*k + t + 2001 with k = i % 500, so
 * (size - 1) % 4 is the thread and the sequence is known per thread. */
static void* run(void* arg) {
  const long t = (long)(intptr_t)arg;
  for (long i = 0; i < iterations; ++i) {
    const size_t k = (size_t)(i % 500);
    char* p = malloc(4 * k + (size_t)t + 1);
    p[0] = 1;
    p = realloc(p, 4 * k + (size_t)t + 2001);
    pthread_mutex_lock(&lock);
    const size_t s = (size_t)(i * THREADS + t) % SLOTS;
    void* old = slots[s];
    slots[s] = p;
    pthread_mutex_unlock(&lock);
    free(old); /* often another thread's block */
  }
  return NULL;
}

int main(int argc, char** argv) {
  iterations = argc > 1 ? atol(argv[1]) : 1000;
  pthread_t th[THREADS];
  for (long t = 0; t < THREADS; ++t) pthread_create(&th[t], NULL, run, (void*)(intptr_t)t);
  for (long t = 0; t < THREADS; ++t) pthread_join(th[t], NULL);
  for (int s = 0; s < SLOTS; ++s) free(slots[s]);
  return 0;
}
