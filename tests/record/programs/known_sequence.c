/* A fixed sequence of allocation calls between two marker allocations, for
 * the recorder tests: the trace must hold exactly this sequence. No stdio
 * inside the sequence, so the C library adds nothing of its own.
 *   known_sequence [MODE] [mtrace]
 * MODE: "return" (default, exit status 7), "exit" (exit(6)), "_exit"
 * (_exit(5)), "segv" (SIGSEGV), "kill" (SIGKILL); "mtrace" calls mtrace()
 * first, for the comparison with glibc's own tracer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <malloc.h>
#include <mcheck.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK_BEGIN 777001
#define MARK_END 777002

/* Keeps the compiler from folding malloc/free pairs away. */
static void* volatile sink;

static void* use(void* p) {
  sink = p;
  return p;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "return";
  if (argc > 2 && strcmp(argv[2], "mtrace") == 0) mtrace();

  free(use(malloc(MARK_BEGIN)));
  char* a = use(malloc(100));
  char* b = use(calloc(10, 24));
  char* c = use(realloc(a, 5000)); /* a is gone */
  char* d = use(memalign(64, 200));
  void* e = NULL;
  if (posix_memalign(&e, 128, 300) != 0) return 1;
  use(e);
  char* f = use(aligned_alloc(256, 512));
  char* g = use(valloc(1000));
  free(b);
  c = use(realloc(c, 10));
  char* h = use(realloc(NULL, 33)); /* a malloc */
  h = use(realloc(h, 0));           /* glibc: a free, returns NULL */
  free(NULL);                       /* not an event */
  char* leak = use(malloc(4242));   /* never freed */
  (void)leak;
  char* z = use(malloc(0));
  free(z);
  free(d);
  free(e);
  free(f);
  free(g);
  free(c);
  free(use(malloc(MARK_END)));

  if (strcmp(mode, "_exit") == 0) _exit(5);
  if (strcmp(mode, "exit") == 0) exit(6);
  if (strcmp(mode, "segv") == 0) {
    signal(SIGSEGV, SIG_DFL);
    *(volatile int*)sink = 0; /* sink is freed: harmless in itself, so force a fault */
    raise(SIGSEGV);
  }
  if (strcmp(mode, "kill") == 0) raise(SIGKILL);
  return 7;
}
