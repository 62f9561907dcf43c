/* The preloaded recorder: interposes the malloc family, forwards to glibc's
 * __libc_* entry points and appends one fixed-size record per call to a
 * MAP_SHARED mapping of a raw file. The kernel keeps the pages of a shared
 * file mapping whatever happens to the process (exit, _exit, SIGKILL), so
 * every committed record survives without any flushing.
 *
 * Rules inside this file: no malloc (all state is static or mmap'd), no
 * stdio, no C++ runtime; nothing but libc, pthread and
 * (for the exec hooks only) dlsym.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fa32/record/raw_format.h"

#define FA32_EXPORT __attribute__((visibility("default")))
#define FA32_TLS __attribute__((tls_model("initial-exec"))) _Thread_local

/* glibc's own implementations: calling them directly needs no dlsym and so
 * no bootstrap allocator. */
extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* ptr, size_t size);
extern void __libc_free(void* ptr);
extern void* __libc_memalign(size_t alignment, size_t size);
extern void* __libc_valloc(size_t size);
extern void* __libc_pvalloc(size_t size);

/* Address space reserved once for the whole file; file chunks are mapped
 * into it as the file grows and never unmapped, so a thread still writing a
 * record into an earlier chunk is never racing an munmap. 64 GiB of address
 * space is about 1.7 billion records. Under a limit on address space
 * (ulimit -v, common in containers and CI) that much is refused, so the
 * reservation halves until it fits, down to two chunks: a recording that
 * fills a smaller one is marked as overflowed, as one that fills 64 GiB. */
#define RESERVE_BYTES (64ull << 30)
#define MIN_RESERVE_BYTES (64ull << 20)
#define CHUNK_BYTES (32ull << 20)
#define FIRST_CHUNK_BYTES (1ull << 20)

enum { STATE_UNINIT = 0, STATE_INIT = 1, STATE_ON = 2, STATE_OFF = 3 };

static struct {
  int state;                /* STATE_*, atomic */
  char path[PATH_MAX + 64]; /* the raw file; reopened for each growth, no fd is kept */
  char* base;               /* the reservation; the file's byte 0 is at base */
  uint64_t reserved;        /* its size: RESERVE_BYTES unless the system refused that */
  struct fa32_raw_header* header;
  uint64_t capacity; /* records that fit in the mapped part, atomic */
  uint64_t mapped;   /* bytes of the file mapped, under grow_lock */
  pthread_mutex_t grow_lock;
  int follow_forks;
  int atfork_registered;
  size_t page_size;
  /* One MADV_WIPEONFORK page, 1 while this process owns the recording:
   * the kernel zeroes it in every child that does not share our memory,
   * including those made without the fork handlers (_Fork, a raw fork or
   * clone system call). NULL if the kernel cannot wipe on fork. */
  volatile int* owner;
  char dir[PATH_MAX];
  int grow_error; /* errno of the last failed growth, for the header */
} g = {.grow_lock = PTHREAD_MUTEX_INITIALIZER};

static FA32_TLS int t_in_hook;
static FA32_TLS uint32_t t_tid;

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Appends the decimal digits of v at out; returns the new end. */
static char* put_decimal(char* out, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

static int parse_decimal(const char* s, long* out) {
  long v = 0;
  if (s == NULL || *s == '\0') return -1;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
  }
  *out = v;
  return 0;
}

static void read_cmdline(struct fa32_raw_header* h) {
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  size_t used = 0;
  while (used < sizeof h->cmdline) {
    ssize_t n = read(fd, h->cmdline + used, sizeof h->cmdline - used);
    if (n <= 0) break;
    used += (size_t)n;
  }
  close(fd);
  h->cmdline_size = (uint32_t)used;
}

/* Allocates the blocks of [offset, offset + len) of the file; 0 or an
 * errno. Past a file size limit (ulimit -f) the kernel raises SIGXFSZ,
 * which kills a program that did not ask for it (the default action), so
 * it is blocked in this thread for the call and one raised by the call is
 * taken back: the program's mask and pending signals are as they were, and
 * EFBIG stops the recording as a full disk does. A failed allocation may
 * have grown the file part way: it is cut back, or the converter would
 * count the unmapped zeros as torn records. */
static int grow_file(int fd, off_t offset, off_t len) {
  sigset_t xfsz, old, pending;
  sigemptyset(&xfsz);
  sigaddset(&xfsz, SIGXFSZ);
  pthread_sigmask(SIG_BLOCK, &xfsz, &old);
  int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ);
  int err = posix_fallocate(fd, offset, len);
  if (err != 0) {
    int cut = ftruncate(fd, offset);
    (void)cut;
  }
  if (!was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ)) {
    const struct timespec zero = {0, 0};
    sigtimedwait(&xfsz, NULL, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return err;
}

/* Maps one more chunk of the file. Called with grow_lock held (or before any
 * other thread can see the mapping). The file is opened by path each time
 * rather than through a kept descriptor: a program that closes every
 * descriptor it does not know (daemons do) could otherwise make us resize
 * a file of its own that got the same number. */
static int map_chunk(void) {
  /* Chunks double from 1 MiB to CHUNK_BYTES: their blocks are allocated
   * when mapped, and a short-lived process (a --follow-forks build runs
   * hundreds) must not hold 32 MiB of disk each until the conversion. */
  const uint64_t chunk = g.mapped == 0 ? FIRST_CHUNK_BYTES : g.mapped < CHUNK_BYTES ? g.mapped : CHUNK_BYTES;
  uint64_t end = g.mapped + chunk;
  if (end > g.reserved) {
    g.grow_error = 0; /* the reservation is full, the file could grow */
    return -1;
  }
  int fd = open(g.path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    g.grow_error = errno;
    return -1;
  }
  void* p = MAP_FAILED;
  /* Blocks allocated now, not a sparse ftruncate: a store to a page the
   * file system has no room for is a SIGBUS, which killed the program on a
   * full disk. Refused here, the recording stops (overflow) instead. */
  int err = grow_file(fd, (off_t)g.mapped, (off_t)chunk);
  if (err == 0) {
    p = mmap(g.base + g.mapped, chunk, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, (off_t)g.mapped);
    if (p == MAP_FAILED) {
      err = errno;
      int cut = ftruncate(fd, (off_t)g.mapped); /* the unmapped part would read as torn records */
      (void)cut;
    }
  }
  close(fd);
  if (p == MAP_FAILED) {
    g.grow_error = err;
    return -1;
  }
  g.mapped = end;
  __atomic_store_n(&g.capacity, (end - FA32_RAW_HEADER_SIZE) / sizeof(struct fa32_raw_record),
                   __ATOMIC_RELEASE);
  return 0;
}

/* Creates raw.<pid>.<generation> in the recording directory, taking the
 * first generation not used yet: an exec'd image of the same pid finds the
 * files of its predecessors and starts the next one. */
static int open_raw_file(void) {
  long pid = (long)getpid();
  for (uint32_t gen = 0; gen < 100000; ++gen) {
    char* path = g.path;
    size_t dir_len = strlen(g.dir);
    if (dir_len + 48 > sizeof g.path) return -1;
    memcpy(path, g.dir, dir_len);
    char* p = path + dir_len;
    memcpy(p, "/raw.", 5);
    p = put_decimal(p + 5, (uint64_t)pid);
    *p++ = '.';
    p = put_decimal(p, gen);
    *p = '\0';
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return -1;
    }
    close(fd);
    if (g.base == NULL) {
      uint64_t want = RESERVE_BYTES;
      void* r = MAP_FAILED;
      for (; want >= MIN_RESERVE_BYTES; want /= 2) {
        r = mmap(NULL, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r != MAP_FAILED) break;
      }
      if (r == MAP_FAILED) {
        unlink(path); /* an empty file would read as a damaged recording */
        return -1;
      }
      g.base = r;
      g.reserved = want;
    }
    g.mapped = 0;
    if (map_chunk() != 0) {
      unlink(path); /* an empty file would read as a damaged recording */
      return -1;
    }
    struct fa32_raw_header* h = (struct fa32_raw_header*)(void*)g.base;
    memcpy(h->magic, FA32_RAW_MAGIC, sizeof h->magic);
    h->version = FA32_RAW_VERSION;
    h->header_size = FA32_RAW_HEADER_SIZE;
    h->record_size = (uint32_t)sizeof(struct fa32_raw_record);
    h->exec_generation = gen;
    h->pid = pid;
    h->ppid = (int64_t)getppid();
    h->start_realtime_ns = now_ns(CLOCK_REALTIME);
    h->start_monotonic_ns = now_ns(CLOCK_MONOTONIC);
    read_cmdline(h);
    g.header = h;
    return 0;
  }
  return -1;
}

/* Drops the mappings inherited from the parent: the child must not write
 * into the parent's file. */
static void forget_parent_file(void) {
  if (g.base != NULL) {
    mmap(g.base, g.reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  }
  g.header = NULL;
  g.mapped = 0;
  __atomic_store_n(&g.capacity, 0, __ATOMIC_RELAXED);
}

/* In a new process (the only thread in it): stop recording, or with
 * follow-forks start a file of its own. Reached from the fork handler or,
 * for a child made without the handlers, from the first hooked call that
 * finds the owner page wiped; whichever comes second does nothing more. */
static void become_child(void) {
  pthread_mutex_init(&g.grow_lock, NULL); /* may have been held by a thread left in the parent */
  t_tid = 0;
  if (__atomic_load_n(&g.state, __ATOMIC_RELAXED) != STATE_ON) return;
  if (g.owner != NULL && *g.owner != 0) return;
  forget_parent_file();
  if (!g.follow_forks || open_raw_file() != 0) {
    __atomic_store_n(&g.state, STATE_OFF, __ATOMIC_RELEASE);
    return;
  }
  if (g.owner != NULL) *g.owner = 1;
}

/* fork: the grow lock must not be held by a thread that does not exist in
 * the child. */
static void atfork_prepare(void) {
  pthread_mutex_lock(&g.grow_lock);
}
static void atfork_parent(void) {
  pthread_mutex_unlock(&g.grow_lock);
}
static void atfork_child(void) {
  become_child();
}

static void make_owner_page(void) {
  if (g.owner != NULL) return;
  void* p = mmap(NULL, g.page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  if (madvise(p, g.page_size, MADV_WIPEONFORK) != 0) {
    munmap(p, g.page_size); /* before Linux 4.14: only the fork handlers notice a child */
    return;
  }
  g.owner = (volatile int*)p;
  *g.owner = 1;
}

static void init(void) {
  int expected = STATE_UNINIT;
  if (!__atomic_compare_exchange_n(&g.state, &expected, STATE_INIT, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    return;
  }
  int next = STATE_OFF;
  const char* dir = getenv(FA32_RAW_ENV_DIR);
  const char* follow = getenv(FA32_RAW_ENV_FOLLOW);
  long parent = 0;
  g.page_size = (size_t)sysconf(_SC_PAGESIZE);
  g.follow_forks = follow != NULL && follow[0] == '1';
  /* Without --follow-forks only the direct child of `fa32 record` (through
   * its execs, which keep the pid and the parent) records. */
  int wanted = dir != NULL && strlen(dir) < sizeof g.dir &&
               (g.follow_forks ||
                (parse_decimal(getenv(FA32_RAW_ENV_PARENT_PID), &parent) == 0 && (long)getppid() == parent));
  if (wanted) {
    strcpy(g.dir, dir);
    if (open_raw_file() == 0) {
      make_owner_page();
      if (!g.atfork_registered) {
        pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
        g.atfork_registered = 1;
      }
      next = STATE_ON;
    }
  }
  __atomic_store_n(&g.state, next, __ATOMIC_RELEASE);
}

/* Grows the mapping until record index i fits; 0 if it does. */
static int ensure_capacity(uint64_t i) {
  int ok = 0;
  pthread_mutex_lock(&g.grow_lock);
  /* Once growing failed (a full disk) it is not tried again for each
   * later call: a failing posix_fallocate is slow. */
  if ((__atomic_load_n(&g.header->flags, __ATOMIC_RELAXED) & FA32_RAW_FLAG_OVERFLOW) != 0) ok = -1;
  while (ok == 0 && i >= __atomic_load_n(&g.capacity, __ATOMIC_ACQUIRE)) {
    if (map_chunk() != 0) {
      /* Why, before the flag: the converter reads both after the exit. */
      g.header->grow_error = (uint32_t)g.grow_error;
      __atomic_fetch_or(&g.header->flags, FA32_RAW_FLAG_OVERFLOW, __ATOMIC_RELAXED);
      ok = -1;
      break;
    }
  }
  pthread_mutex_unlock(&g.grow_lock);
  return ok;
}

static void put(uint8_t op, const void* ptr, uint64_t size, uint64_t arg) {
  if (t_tid == 0) t_tid = (uint32_t)gettid();
  uint64_t i = __atomic_fetch_add(&g.header->next_index, 1, __ATOMIC_RELAXED);
  if (__builtin_expect(i >= __atomic_load_n(&g.capacity, __ATOMIC_ACQUIRE), 0) && ensure_capacity(i) != 0) {
    return;
  }
  struct fa32_raw_record* r =
      (struct fa32_raw_record*)(void*)(g.base + FA32_RAW_HEADER_SIZE + i * sizeof(struct fa32_raw_record));
  r->ptr = (uint64_t)(uintptr_t)ptr;
  r->size = size;
  r->arg = arg;
  r->time_ns = now_ns(CLOCK_MONOTONIC);
  r->tid = t_tid;
  r->op = op;
  __atomic_store_n(&r->commit, (uint16_t)FA32_RAW_COMMIT, __ATOMIC_RELEASE);
}

/* 1 if this call should be recorded; then leave() must follow. */
static inline int enter(void) {
  if (t_in_hook) return 0;
  int s = __atomic_load_n(&g.state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s == STATE_UNINIT, 0)) {
    t_in_hook = 1;
    init();
    t_in_hook = 0;
    s = __atomic_load_n(&g.state, __ATOMIC_ACQUIRE);
  }
  if (s != STATE_ON) return 0;
  t_in_hook = 1;
  if (__builtin_expect(g.owner != NULL && *g.owner == 0, 0)) {
    /* A child that ran no fork handler: it still maps the parent's file. */
    become_child();
    if (__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) != STATE_ON) {
      t_in_hook = 0;
      return 0;
    }
  }
  return 1;
}
static inline void leave(void) {
  t_in_hook = 0;
}

__attribute__((constructor)) static void fa32_record_constructor(void) {
  if (enter()) leave();
}

FA32_EXPORT void* malloc(size_t size) {
  void* p = __libc_malloc(size);
  if (enter()) {
    put(FA32_RAW_MALLOC, p, size, 0);
    leave();
  }
  return p;
}

FA32_EXPORT void free(void* ptr) {
  if (ptr == NULL) return;
  /* Before the real free: once it returns another thread may get ptr. */
  if (enter()) {
    put(FA32_RAW_FREE, ptr, 0, 0);
    leave();
  }
  __libc_free(ptr);
}

FA32_EXPORT void* calloc(size_t count, size_t size) {
  void* p = __libc_calloc(count, size);
  if (enter()) {
    put(FA32_RAW_CALLOC, p, size, count);
    leave();
  }
  return p;
}

static void* do_realloc(void* ptr, size_t size) {
  if (ptr == NULL) {
    void* p = __libc_realloc(NULL, size);
    if (enter()) {
      put(FA32_RAW_MALLOC, p, size, 0);
      leave();
    }
    return p;
  }
  if (size == 0) {
    /* glibc frees ptr and returns NULL. */
    if (enter()) {
      put(FA32_RAW_FREE, ptr, 0, 0);
      leave();
    }
    return __libc_realloc(ptr, 0);
  }
  /* Two records: the old address is given up at BEGIN (it may be handed to
   * another thread before this call returns) and the id moves to the new
   * address at END. */
  if (!enter()) return __libc_realloc(ptr, size);
  put(FA32_RAW_REALLOC_BEGIN, NULL, size, (uint64_t)(uintptr_t)ptr);
  void* p = __libc_realloc(ptr, size);
  put(FA32_RAW_REALLOC_END, p, size, (uint64_t)(uintptr_t)ptr);
  leave();
  return p;
}

FA32_EXPORT void* realloc(void* ptr, size_t size) {
  return do_realloc(ptr, size);
}

FA32_EXPORT void* reallocarray(void* ptr, size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    /* A call that returns NULL is a failed allocation, as a calloc that
     * overflows is; ptr is untouched, so its id stays live. */
    if (enter()) {
      put(FA32_RAW_MALLOC, NULL, SIZE_MAX, 0);
      leave();
    }
    errno = ENOMEM;
    return NULL;
  }
  return do_realloc(ptr, bytes);
}

/* The alignment glibc's memalign actually uses: one that is not a power of
 * two is rounded up to the next one (24 -> 32) and 0 means none. Recording
 * the requested value gave traces that validate and replay reject. */
static size_t effective_alignment(size_t alignment) {
  if (alignment <= 1) return 1;
  if ((alignment & (alignment - 1)) == 0 || alignment > SIZE_MAX / 2 + 1) return alignment;
  return (size_t)1 << (sizeof(size_t) * CHAR_BIT - (size_t)__builtin_clzl(alignment));
}

static void* aligned(size_t alignment, size_t size) {
  void* p = __libc_memalign(alignment, size);
  if (enter()) {
    put(FA32_RAW_ALIGNED, p, size, effective_alignment(alignment));
    leave();
  }
  return p;
}

FA32_EXPORT void* memalign(size_t alignment, size_t size) {
  return aligned(alignment, size);
}

/* glibc 2.36's aligned_alloc is memalign (no power-of-two check). */
FA32_EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  return aligned(alignment, size);
}

FA32_EXPORT int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return EINVAL;
  }
  int saved = errno;
  void* p = aligned(alignment, size);
  if (p == NULL) return ENOMEM;
  errno = saved;
  *out = p;
  return 0;
}

FA32_EXPORT void* valloc(size_t size) {
  void* p = __libc_valloc(size);
  if (enter()) {
    put(FA32_RAW_ALIGNED, p, size, g.page_size);
    leave();
  }
  return p;
}

FA32_EXPORT void* pvalloc(size_t size) {
  void* p = __libc_pvalloc(size);
  if (enter()) {
    put(FA32_RAW_ALIGNED, p, size, g.page_size);
    leave();
  }
  return p;
}

/* exec: a new image that loads the recorder starts the next raw file; one
 * that does not (statically linked, set-user-ID, its environment without
 * LD_PRELOAD) leaves nothing, and the trace would end at the exec with no
 * sign that the program went on. So the exec is noted in the header before
 * the call and the note taken back if the call returns (it failed):
 * `fa32 record` warns when the last image's file still has it. Every exec
 * function is hooked, as glibc's own (execvp, execl, ...) call execve
 * internally, past any interposer. */
static int exec_note(const char* path) {
  if (!enter()) return 0;
  /* A vfork child shares our memory but is another process: its exec is
   * not this image's. */
  if ((int64_t)getpid() != g.header->pid) {
    leave();
    return 0;
  }
  size_t n = path != NULL ? strnlen(path, sizeof g.header->exec_path - 1) : 0;
  if (n > 0) memcpy(g.header->exec_path, path, n);
  g.header->exec_path[n] = '\0';
  __atomic_fetch_or(&g.header->flags, FA32_RAW_FLAG_EXEC, __ATOMIC_RELEASE);
  leave();
  return 1;
}

static int exec_failed(int noted, int result) {
  if (noted) {
    int saved = errno;
    __atomic_fetch_and(&g.header->flags, ~FA32_RAW_FLAG_EXEC, __ATOMIC_RELEASE);
    errno = saved;
  }
  return result;
}

/* The real exec functions: looked up at the exec only, never on the
 * allocation path, so dlsym's own needs do not matter here. Through
 * memcpy: ISO C has no cast from an object to a function pointer. */
#define REAL(var, name)                      \
  void* var##_sym_ = dlsym(RTLD_NEXT, name); \
  memcpy(&var, &var##_sym_, sizeof var)
typedef int (*execve_fn)(const char*, char* const[], char* const[]);
typedef int (*execv_fn)(const char*, char* const[]);
typedef int (*fexecve_fn)(int, char* const[], char* const[]);
typedef int (*execveat_fn)(int, const char*, char* const[], char* const[], int);

static int exec_missing(void) {
  errno = ENOSYS;
  return -1;
}

FA32_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  execve_fn real;
  REAL(real, "execve");
  if (real == NULL) return exec_missing();
  int noted = exec_note(path);
  return exec_failed(noted, real(path, argv, envp));
}

FA32_EXPORT int execv(const char* path, char* const argv[]) {
  execv_fn real;
  REAL(real, "execv");
  if (real == NULL) return exec_missing();
  int noted = exec_note(path);
  return exec_failed(noted, real(path, argv));
}

FA32_EXPORT int execvp(const char* file, char* const argv[]) {
  execv_fn real;
  REAL(real, "execvp");
  if (real == NULL) return exec_missing();
  int noted = exec_note(file);
  return exec_failed(noted, real(file, argv));
}

FA32_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  execve_fn real;
  REAL(real, "execvpe");
  if (real == NULL) return exec_missing();
  int noted = exec_note(file);
  return exec_failed(noted, real(file, argv, envp));
}

FA32_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  fexecve_fn real;
  REAL(real, "fexecve");
  if (real == NULL) return exec_missing();
  int noted = exec_note(argv[0] != NULL ? argv[0] : "(fexecve)");
  return exec_failed(noted, real(fd, argv, envp));
}

FA32_EXPORT int execveat(int dirfd, const char* path, char* const argv[], char* const envp[], int flags) {
  execveat_fn real;
  REAL(real, "execveat");
  if (real == NULL) return exec_missing();
  int noted = exec_note(path);
  return exec_failed(noted, real(dirfd, path, argv, envp, flags));
}

/* The list forms become their vector forms (hooked above); the arguments
 * are gathered on the stack, as glibc does, since no malloc is allowed. */
static size_t count_args(const char* arg0, va_list ap) {
  size_t n = 1;
  if (arg0 == NULL) return 0;
  while (va_arg(ap, const char*) != NULL) ++n;
  return n;
}

#define GATHER_ARGS(argv, n, arg0, ap)                                  \
  do {                                                                  \
    (argv)[0] = (char*)(arg0);                                          \
    for (size_t k_ = 1; k_ < (n); ++k_) (argv)[k_] = va_arg(ap, char*); \
    (argv)[n] = NULL;                                                   \
  } while (0)

FA32_EXPORT int execl(const char* path, const char* arg0, ...) {
  va_list ap;
  va_start(ap, arg0);
  size_t n = count_args(arg0, ap);
  va_end(ap);
  char* argv[n + 1];
  va_start(ap, arg0);
  GATHER_ARGS(argv, n, arg0, ap);
  va_end(ap);
  return execv(path, argv);
}

FA32_EXPORT int execlp(const char* file, const char* arg0, ...) {
  va_list ap;
  va_start(ap, arg0);
  size_t n = count_args(arg0, ap);
  va_end(ap);
  char* argv[n + 1];
  va_start(ap, arg0);
  GATHER_ARGS(argv, n, arg0, ap);
  va_end(ap);
  return execvp(file, argv);
}

FA32_EXPORT int execle(const char* path, const char* arg0, ...) {
  va_list ap;
  va_start(ap, arg0);
  size_t n = count_args(arg0, ap);
  va_end(ap);
  char* argv[n + 1];
  va_start(ap, arg0);
  GATHER_ARGS(argv, n, arg0, ap);
  if (n > 0) (void)va_arg(ap, char*); /* the NULL ending the arguments */
  char* const* envp = va_arg(ap, char* const*);
  va_end(ap);
  return execve(path, argv, envp);
}
