/*
 * fastalloc32 — a small, fast, single-threaded, context-based allocator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One manager (fastalloc32_mm) per context; there is no global state. A
 * manager is NOT thread-safe: use one per thread, or lock around it.
 *
 * This library grew from "the original": the C fastalloc32, one 128-byte
 * size class in a 1 MiB pool that never grew, with a list node malloc'd
 * per large block. The "original" preset reproduces its layout. How the
 * manager is built, and why: docs/design.md; what it measures against
 * glibc and the other candidates: docs/performance.md.
 *
 * Where memory comes from:
 *  - small requests (<= the largest block size) come from per-class pools of
 *    fixed-size blocks, reserved with mmap so untouched pages cost nothing;
 *    freed blocks go to a bounded LIFO cache first, then to a free list (a
 *    bitmap, which hands out its lowest blocks first);
 *  - large requests (> the largest block size) are served by the large path
 *    (tracked in an open-addressing pointer table, no per-block header or
 *    node; a cache of freed blocks by size bucket, bounded by
 *    large_cache_bytes; from 16 KiB, a large arena of page spans that
 *    coalesce on free; mmap/mremap at or above mmap_threshold). An arena
 *    or mapped block starts at a colour, a multiple of 64 bytes (or of its
 *    alignment, below a page) into its first page, taken from the slack
 *    the request leaves in its last page (its bucket, for a mapping), so
 *    large blocks do not all share their low 12 address bits and the colour
 *    costs no page: the usable size is the pages from the colour on. A
 *    request of whole pages leaves no slack and starts at a page;
 *  - when a class pool is exhausted (and may not grow), small requests fall
 *    back to the system allocator (counted as fallback): blocks fitted to
 *    the request (its size rounded up on the default classes' grid, a
 *    multiple of the alignment, at most the class's block size: the usable
 *    size) carved from slabs the system malloc gives (4 KiB to 1 MiB
 *    each, four times as much each time, never fewer than 16 blocks),
 *    found by address like pool
 *    blocks. Each block size
 *    keeps at most one empty slab; the others go back as they empty.
 *
 * When the system refuses memory for a block or a slab, the manager first
 * gives back what it keeps idle (the large cache's blocks, the empty
 * fallback slabs) and asks once more: NULL then means the memory could not
 * be had even so, as Lua's allocator contract expects after its own
 * emergency collection.
 *
 * Large blocks handed to a caller are charged to the kernel's commit
 * accounting as glibc charges its own (blocks from mmap are mapped without
 * MAP_NORESERVE; the large arena's pages are made usable with mprotect),
 * so a request the system cannot back returns NULL with
 * FASTALLOC32_E_NOMEM where glibc's malloc returns NULL, under the same
 * overcommit policy. Reservations (the pools, the arena's unused part,
 * internal tables) are address space and charged nothing, except under
 * strict overcommit (vm.overcommit_memory = 2), where the kernel charges a
 * MAP_NORESERVE reservation (the pools, the tables) in full when it is
 * made. Pool blocks need no more: the default heuristic refuses only a
 * single request above memory plus swap, and a pool block is at most
 * 1 MiB. With a map hook, how mapped memory is charged is the hook's
 * business.
 *
 * Errors are return values: NULL plus fastalloc32_last_status(), and the
 * optional error callback. Bad frees (double, foreign, interior pointers)
 * are detected, counted, reported and ignored; they never corrupt the
 * manager and are never passed to the system free. Which of those a bad
 * pointer counts as: a pool or fallback block freed again is a double free
 * while its slab is kept (a pool block: always, unless a trim (trim_pools)
 * has taken it back, which makes it an invalid free). A large block freed again
 * is a double free while its pointer is among the last 64 large pointers
 * given up (freed, or left
 * behind by a realloc that moved the block, mremap included); after that
 * its memory may be back with the system, or another owner's, and the
 * pointer counts as an invalid free (E_INVALID_FREE, invalid_frees), as
 * any pointer the manager does not own.
 *
 * A NULL manager has nowhere to keep a status: the allocation calls return
 * NULL, free, destroy and for_each_live do nothing, usable_size is 0,
 * kind_of NONE and class_count 0; last_status, check, get_stats,
 * get_class_stats and get_config return FASTALLOC32_E_BAD_CONFIG (the last
 * three also for a NULL out-pointer).
 */
#ifndef FASTALLOC32_H
#define FASTALLOC32_H

#include <stddef.h>
#include <stdint.h>

/* Symbols of the C API. The library is built with hidden visibility and
 * exports only these; define FASTALLOC32_API yourself to override. */
#ifndef FASTALLOC32_API
#if defined(__GNUC__) || defined(__clang__)
#define FASTALLOC32_API __attribute__((visibility("default")))
#else
#define FASTALLOC32_API
#endif
#endif

/* What the allocation functions return, told to GCC and Clang (for
 * __builtin_object_size, _FORTIFY_SOURCE, their warnings and alias
 * analysis): FASTALLOC32_MALLOC_LIKE for a pointer to fresh memory that
 * nothing else points to (malloc, calloc, aligned_alloc; not realloc,
 * whose result may be its argument), FASTALLOC32_ALLOC_SIZE* for the
 * parameters giving the size, FASTALLOC32_ALLOC_ALIGN for the one giving
 * the alignment. Empty on compilers without them; define them yourself to
 * override. */
#if defined(__has_attribute)
#define FASTALLOC32_HAS_ATTRIBUTE_(x) __has_attribute(x)
#else
#define FASTALLOC32_HAS_ATTRIBUTE_(x) 0
#endif
#ifndef FASTALLOC32_MALLOC_LIKE
#if FASTALLOC32_HAS_ATTRIBUTE_(malloc)
#define FASTALLOC32_MALLOC_LIKE __attribute__((malloc))
#else
#define FASTALLOC32_MALLOC_LIKE
#endif
#endif
#ifndef FASTALLOC32_ALLOC_SIZE
#if FASTALLOC32_HAS_ATTRIBUTE_(alloc_size)
#define FASTALLOC32_ALLOC_SIZE(n) __attribute__((alloc_size(n)))
#else
#define FASTALLOC32_ALLOC_SIZE(n)
#endif
#endif
#ifndef FASTALLOC32_ALLOC_SIZE2
#if FASTALLOC32_HAS_ATTRIBUTE_(alloc_size)
#define FASTALLOC32_ALLOC_SIZE2(n, m) __attribute__((alloc_size(n, m)))
#else
#define FASTALLOC32_ALLOC_SIZE2(n, m)
#endif
#endif
#ifndef FASTALLOC32_ALLOC_ALIGN
#if FASTALLOC32_HAS_ATTRIBUTE_(alloc_align)
#define FASTALLOC32_ALLOC_ALIGN(n) __attribute__((alloc_align(n)))
#else
#define FASTALLOC32_ALLOC_ALIGN(n)
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define FASTALLOC32_VERSION_MAJOR 0
#define FASTALLOC32_VERSION_MINOR 1
#define FASTALLOC32_VERSION_PATCH 0

/* Most size classes a manager can have. (16 before config version 3.) */
#define FASTALLOC32_MAX_CLASSES 64

typedef struct fastalloc32_mm fastalloc32_mm;

typedef enum fastalloc32_status {
  FASTALLOC32_OK = 0,
  FASTALLOC32_E_NOMEM = 1,            /* the system malloc, mmap or mprotect refused the memory */
  FASTALLOC32_E_OVERFLOW = 2,         /* size arithmetic would overflow (calloc, align-up near SIZE_MAX) */
  FASTALLOC32_E_BAD_ALIGNMENT = 3,    /* alignment not a power of two */
  FASTALLOC32_E_INVALID_FREE = 4,     /* free/realloc of a pointer this manager does not own */
  FASTALLOC32_E_DOUBLE_FREE = 5,      /* free/realloc of a block already free (large: see above) */
  FASTALLOC32_E_INTERIOR_POINTER = 6, /* pointer inside an owned block but not its start */
  FASTALLOC32_E_BAD_CONFIG = 7,       /* create_with rejected the config, or a NULL or bad argument */
  FASTALLOC32_E_CORRUPT = 8           /* fastalloc32_check found a broken invariant */
} fastalloc32_status;

/* Human-readable name of a status ("ok", "double free", ...). Never NULL. */
FASTALLOC32_API const char* fastalloc32_status_string(fastalloc32_status status);

/* Called on every error the manager detects, before it returns. ptr is the
 * offending pointer (or NULL). Must not call back into the same manager. */
typedef void (*fastalloc32_error_fn)(fastalloc32_status status, const void* ptr, void* user);

/* Where the manager gets memory from the system. NULL members mean libc
 * malloc/free and mmap/munmap. Tests inject failures through these. */
typedef struct fastalloc32_system {
  void* (*malloc)(size_t size, void* user);
  void (*free)(void* ptr, void* user);
  /* Reserve size bytes of zeroed, page-aligned, read-write memory. It
   * serves reservations (pools, tables, the large arena) and blocks at or
   * above mmap_threshold alike. */
  void* (*map)(size_t size, void* user);
  void (*unmap)(void* ptr, size_t size, void* user);
  void* user;
} fastalloc32_system;

typedef struct fastalloc32_config {
  uint32_t size;    /* sizeof(fastalloc32_config); set by fastalloc32_config_init */
  uint32_t version; /* FASTALLOC32_CONFIG_VERSION; set by fastalloc32_config_init */

  /* Block sizes of the size classes, ascending, each a multiple of
   * `alignment`. Default: the 64 classes of the "default" preset. */
  uint32_t class_count;
  size_t block_sizes[FASTALLOC32_MAX_CLASSES];

  /* Bytes of pool for EACH class, a chunk of the class's reservation.
   * Default 256 KiB. */
  size_t pool_size;
  /* When a class pool is full, grow it by another pool_size chunk while the
   * class's total stays <= pool_limit (reserved as address space at
   * create). When the chunks it allows (pool_limit / pool_size, rounded
   * down; two or more) make a power of two of pages, the class holds one
   * chunk less, unless alignment is a page or more: the class's first
   * block starts a colour into its first page, and the chunk makes room for
   * it instead of doubling the class's address space. 0: never grow; fall back to the system allocator
   * instead. Default 64 MiB (63.75 MiB of blocks). When the system (a limit on address space such as ulimit
   * -v, or the map hook) refuses the reservation, create halves pool_limit, down to pool_size, until it is
   * granted: the manager works, and its classes fall back sooner.
   * fastalloc32_get_config tells the limit in effect.
   * Huge pages: with the default mmap, trim_pools off, huge_pages on (the
   * default), and the kernel's
   * transparent huge pages "always" or "madvise", a class whose blocks have
   * filled four huge pages' worth (8 MiB on x86-64) of ordinary pages asks for
   * huge pages (MADV_HUGEPAGE, counted in pool_huge_advices) for each
   * further whole huge page of its pool before it hands out a block there.
   * The kernel then backs each with one page at its first touch (or, when
   * it has none free, with ordinary pages as they are touched), and the
   * footprint counts it whole from then: up to a huge page a large class
   * beyond its blocks, for far fewer page faults and TLB misses (see
   * docs/design.md, "Huge pages for large classes"). With the default
   * mmap, below that huge page's worth (or through the whole pool when
   * the class has no huge pages: huge_pages 0, trim_pools, or the
   * kernel's off), a class past 64 KiB has its
   * next ordinary pages made present a run at a time (MADV_POPULATE_WRITE,
   * counted in pool_page_runs; runs of 16 KiB up to 256 KiB, 64 KiB
   * beyond; a block of more than a page has its pages made present at
   * once wherever it lies, in a pool of 64 KiB or more) instead of a
   * page fault each, and the footprint counts a run whole from its first
   * block: up to 64 KiB a class beyond its blocks, under a quarter of
   * them ("Pool pages in runs"). A kernel before Linux
   * 5.14 refuses the call, and the manager stops asking. */
  size_t pool_limit;

  /* Entries in each class's LIFO cache of freed blocks. Default 4096. */
  uint32_t cache_capacity;

  /* Minimum alignment of every pointer returned: a power of two >=
   * alignof(max_align_t) (16 on x86-64). Default 16. */
  size_t alignment;

  /* Freed large blocks kept for reuse, bounded in total bytes.
   * Default 8 MiB; 0 disables the large cache. A cached block that 1024
   * large allocations have passed by without taking it goes back to the
   * system when the footprint is about to set a new peak (with the default
   * mmap only), so a program that runs the same work again does not hold
   * the last run's leftovers on top of this run's blocks, once a run makes
   * more than 1024 large allocations. Shorter runs keep their cached
   * blocks (at most large_cache_bytes): their next run is likely to take
   * them, and the footprint's peak can rise by up to that much. When
   * the system refuses memory, every cached block goes back before the
   * request is retried (counted in large_cache_trims too). */
  size_t large_cache_bytes;
  /* Large requests at or above this go straight to mmap (and grow by
   * mremap), mapped as glibc maps its large blocks, commit-charged: one the
   * system cannot back returns NULL with E_NOMEM. Default 1 MiB. */
  size_t mmap_threshold;
  /* Address space for the large arena, reserved (with the map hook) at the
   * first large request of 16 KiB or more below mmap_threshold. Such
   * requests are carved from it in whole pages; freed ones merge with free
   * neighbours and serve any later size, so reuse costs no system call and
   * no page fault; a block's pages that hold no memory yet are made
   * present in one call (MADV_POPULATE_WRITE, counted in arena_page_runs;
   * with the default mmap, as the pools' page runs)
   * rather than a page fault each. Pages at its end that stayed free for
   * 128 frees of
   * arena blocks, beyond large_cache_bytes more, go back to the kernel
   * (madvise; with the default mmap only, not with a map hook). So do its
   * free pages that stayed free a while (256 ticks of a clock of arena
   * mallocs and pool growth; twice as long after each trim whose pages the
   * program took half or more of again, up to 65536) when the footprint is
   * about to set a new peak while its free pages hold at least 256 KiB and
   * a 32nd of the footprint: reused, such a page costs a page fault, and it
   * reads zero. Its unused end (the free pages above its last live block)
   * goes back at such a trim whatever its age, until two trims running find
   * that the program took the end's pages again; from then on it must have
   * stayed free 256 ticks, learnt as above.
   * Locked pages (mlock, mlockall) stay: madvise refuses them. The
   * reservation is address space (PROT_NONE) that costs no commit charge;
   * its pages are made usable with mprotect, 1 MiB at a time, as the
   * arena's used end first reaches them, which charges them to the
   * kernel's commit accounting (and keeps them charged until destroy, as
   * glibc's heaps keep theirs). When it is full, cannot be reserved, or the
   * kernel refuses the charge, requests take the system malloc as without
   * it. Default 1 GiB (address space: pages cost memory once touched); 0
   * disables it. */
  size_t large_arena_size;

  /* Non-zero: no byte a caller freed or gave back is handed out again
   * unwiped (explicit_bzero): every block is wiped when it is freed or
   * realloc moves it, and the pages a large-arena block gives up when
   * realloc shrinks it in place are wiped as they go (a block that shrinks
   * in place and keeps its memory keeps its bytes: they are still the
   * caller's, wiped at free). At destroy, live blocks whose memory goes
   * back to the system malloc, or to a map hook, are wiped first; memory
   * given back with munmap is not (the kernel hands out zeroed pages).
   * Every free then takes the slow path. */
  int secure_zero;

  /* Non-zero: keep the peaks of live_allocs, bytes_requested,
   * bytes_reserved, pool_blocks and of each class's bytes_requested. They
   * cannot be derived afterwards, so every malloc and free updates them,
   * which slows small-object churn measurably (docs/performance.md; why
   * and how they are kept: docs/design.md). With 0 those peak fields
   * read 0 and fastalloc32_stats.peaks_tracked is 0; every other figure
   * (counters, current values, totals, the other gauges' peaks, each
   * class's blocks_in_use peak) stays exact. Default 0 (the "profiling"
   * preset sets it). */
  int track_peaks;

  /* Non-zero: before the footprint sets a new peak (at most once per rise
   * of the peak by a 32nd of the footprint, or 256 KiB), every class gives
   * back the whole pages of the free blocks at its top, and past its first
   * 64 KiB the whole page runs (see pool_limit; madvise, counted in
   * pool_trims; with the default mmap only). Each class has address space
   * of its own, so without it the pools hold the sum of every class's own
   * peak; with it they come closer to the peak of what is live at once.
   * Blocks handed out there again are fresh: they read zero, and their
   * pages are made present again (past the class's first 64 KiB a run at a
   * time, as before the trim).
   * On the recorded traces of docs/performance.md it cuts the footprint
   * peak by 2-13 % against the default's (it has no huge pages either), at
   * 0.98-1.11x the default's replay time (docs/performance.md, "Trims keep
   * the page runs"). A trim takes back every free block above the class's
   * highest live one, those that share that block's last page or run too
   * (zeroed by hand: the page or run stays): a
   * pointer to any of them is an invalid free, not a double free. Locked pages (mlock, mlockall) are never
   * given back: madvise refuses them, and they stay counted. Default 0. */
  int trim_pools;

  /* Non-zero (the default): classes past 8 MiB of pool ask for huge pages
   * (see pool_limit). 0: every class keeps ordinary pages, made present in
   * runs of 64 KiB past its first 256 KiB. A class then holds at most
   * 64 KiB of pages beyond its blocks instead of up to a huge page, which
   * lowers the footprint peak of a program with classes past 8 MiB (by
   * about 3 % on the four recorded traces of docs/performance.md that
   * have them, "Huge pages from 8 MiB"), for more TLB misses where such a
   * class's blocks are used (up to 6 % more replay time on those traces).
   * Ignored with trim_pools or a map hook, which have no huge pages. */
  int huge_pages;

  fastalloc32_error_fn on_error; /* optional */
  void* error_user;
  fastalloc32_system system; /* optional; zeroed = libc */
} fastalloc32_config;

#define FASTALLOC32_CONFIG_VERSION 5

/* Fill *config with the defaults: the "default" preset below. */
FASTALLOC32_API void fastalloc32_config_init(fastalloc32_config* config);

/* Fill *config with a named preset (every field, hooks cleared); returns
 * FASTALLOC32_E_BAD_CONFIG (and leaves *config as it was) for an unknown
 * name.
 *  "default"   what fastalloc32_config_init and fastalloc32_create give:
 *              64 size classes, every 16 B from 16 to 256 B, then eight per
 *              doubling to 16 KiB (288, 320, ... 512, 576, ... 1024, ...
 *              16384 B: no block wastes more than an eighth of itself),
 *              pools of 256 KiB per class growing to 64 MiB, a 4096-entry
 *              cache per class, peaks off. On real programs as fast as
 *              the earlier 16 classes (faster where requests of 4-16 KiB
 *              are common), with a footprint nearer glibc's
 *              (docs/performance.md).
 *  "profiling" the default with track_peaks = 1: every figure, peaks
 *              included, at some cost in speed. What `fa32 replay` and
 *              `fa32 stats` use.
 *  "compact"   the default with trim_pools = 1: a smaller footprint peak,
 *              at some cost in speed (see trim_pools).
 *  "original"  the layout of the C fastalloc32 this library grew from: one
 *              128-byte class, a 1 MiB pool that never grows (beyond it
 *              small requests fall back to the system malloc), a 512-entry
 *              cache, peaks kept. */
FASTALLOC32_API fastalloc32_status fastalloc32_config_preset(fastalloc32_config* config, const char* name);

/* The name of preset `index`, in the order above (0 is "default"), or NULL
 * past the last: every name fastalloc32_config_preset knows, so that a tool
 * can list them without keeping a copy of the list. */
FASTALLOC32_API const char* fastalloc32_preset_name(unsigned index);

/* A manager with the default config. NULL if memory could not be had. */
FASTALLOC32_API fastalloc32_mm* fastalloc32_create(void);
/* A manager with *config (copied; a pool_limit the system would not
 * reserve is lowered, see pool_limit). NULL and *status set when the
 * config is invalid (FASTALLOC32_E_BAD_CONFIG) or memory could not be had
 * even with pool_limit at pool_size (FASTALLOC32_E_NOMEM). status may be
 * NULL. A config is valid when:
 *  - size and version are what fastalloc32_config_init sets;
 *  - 1 <= class_count <= FASTALLOC32_MAX_CLASSES;
 *  - alignment is a power of two from alignof(max_align_t) (16 on x86-64)
 *    to 32 KiB;
 *  - block_sizes are non-zero multiples of alignment, at most 65520 bytes
 *    each (a block's requested size is kept in 16 bits), strictly
 *    ascending; larger requests take the large path;
 *  - pool_size >= the largest block size, and pool_limit is 0 or >=
 *    pool_size;
 *  - cache_capacity <= 2^24;
 *  - system.map and system.unmap are both given or both NULL, and so are
 *    system.malloc and system.free;
 *  - the one reservation this makes (each class's pool_limit, or pool_size
 *    when it does not grow, rounded up to a power of two, times
 *    class_count, plus the classes' tables) is at most 2^46 bytes (64
 *    TiB), and a class has fewer than 2^32 - 1 blocks. */
FASTALLOC32_API fastalloc32_mm* fastalloc32_create_with(const fastalloc32_config* config,
                                                        fastalloc32_status* status);
/* NULL when create_with would accept *config, else the first rule above
 * that it breaks, as a static English sentence for an error message (the
 * wording may change between releases; compare with NULL only). */
FASTALLOC32_API const char* fastalloc32_config_problem(const fastalloc32_config* config);
/* Copies the config mm runs with into *out: the one it was created with,
 * except pool_limit where create had to lower it (see pool_limit).
 * FASTALLOC32_E_BAD_CONFIG if mm or out is NULL. */
FASTALLOC32_API fastalloc32_status fastalloc32_get_config(const fastalloc32_mm* mm, fastalloc32_config* out);
/* Releases everything, live blocks included (with secure_zero, those that
 * go back to the system malloc or a map hook are wiped first). NULL is
 * ignored. */
FASTALLOC32_API void fastalloc32_destroy(fastalloc32_mm* mm);

/* malloc(0) returns a unique block of the smallest class (like glibc), to
 * be freed like any other. NULL and last_status() E_OVERFLOW or E_NOMEM
 * when size cannot be had. */
FASTALLOC32_API FASTALLOC32_MALLOC_LIKE FASTALLOC32_ALLOC_SIZE(2) void* fastalloc32_malloc(fastalloc32_mm* mm,
                                                                                           size_t size);
FASTALLOC32_API FASTALLOC32_MALLOC_LIKE
    FASTALLOC32_ALLOC_SIZE2(2, 3) void* fastalloc32_calloc(fastalloc32_mm* mm, size_t count, size_t size);
/* C semantics: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and
 * returns NULL; on failure p is untouched and NULL is returned. A block
 * realloc grows past 4 KiB (or past the largest class, if smaller) leaves
 * the pools for the large path even when a class could hold it: a block
 * that grows once tends to grow again, and there its next growth reserves
 * half as much more, and (from 16 KiB, in the large arena) it grows in
 * place and its old memory merges with its neighbours instead of staying
 * in a class's pool (lua-tables, docs/performance.md: footprint peak 57.2
 * MiB without this, 53.5 with it). A block realloc shrinks to 4 KiB or
 * less comes back to a class; one that grows within its usable size, or
 * is realloc'd to it, stays (an aligned_alloc'd block may be large at a
 * class's size: no class keeps its alignment). malloc uses every class. */
FASTALLOC32_API FASTALLOC32_ALLOC_SIZE(3) void* fastalloc32_realloc(fastalloc32_mm* mm, void* ptr,
                                                                    size_t size);
FASTALLOC32_API void fastalloc32_free(fastalloc32_mm* mm, void* ptr);
/* alignment must be a power of two (any size, not only multiples). */
FASTALLOC32_API FASTALLOC32_MALLOC_LIKE FASTALLOC32_ALLOC_ALIGN(2)
    FASTALLOC32_ALLOC_SIZE(3) void* fastalloc32_aligned_alloc(fastalloc32_mm* mm, size_t alignment,
                                                              size_t size);
/* Bytes usable at ptr (>= the size asked for); 0 if ptr is not a live
 * allocation of this manager. The compiler knows only the size asked for
 * (FASTALLOC32_ALLOC_SIZE): past it, _FORTIFY_SOURCE=3 aborts a write and
 * -fsanitize=object-size reports one, as with glibc's
 * malloc_usable_size. To use the extra bytes, realloc(ptr, usable_size)
 * first: it keeps every block where it is. */
FASTALLOC32_API size_t fastalloc32_usable_size(const fastalloc32_mm* mm, const void* ptr);

/* Status of the most recent error this manager reported through the
 * error callback (OK if none): a failed allocation, calloc or realloc, a
 * bad free or realloc pointer, a bad alignment, a broken invariant found by
 * fastalloc32_check. A call that succeeds does not clear it, and the calls
 * that return a status (get_stats, get_class_stats, get_config, check when
 * it finds nothing) neither set nor report one. */
FASTALLOC32_API fastalloc32_status fastalloc32_last_status(const fastalloc32_mm* mm);

/* Where a live pointer came from. */
typedef enum fastalloc32_kind {
  FASTALLOC32_KIND_NONE = 0, /* not a live allocation of this manager */
  FASTALLOC32_KIND_POOL = 1,
  FASTALLOC32_KIND_LARGE = 2,
  FASTALLOC32_KIND_FALLBACK = 3
} fastalloc32_kind;

FASTALLOC32_API fastalloc32_kind fastalloc32_kind_of(const fastalloc32_mm* mm, const void* ptr);

/*
 * Statistics. Each is declared once here; the struct, the names and the
 * tests are generated from these lists so they cannot drift.
 *
 * Counters only grow: X(name, description).
 * Gauges have {current, peak, total} where total is the sum of all
 * increases: X(name, description).
 */
#define FASTALLOC32_COUNTERS(X)                                                        \
  X(mallocs, "calls to malloc/calloc/aligned_alloc/realloc(NULL) giving memory")       \
  X(frees, "calls to free or realloc(p, 0) with a live pointer")                       \
  X(reallocs, "calls to realloc with a live pointer and size > 0")                     \
  X(pool_allocs, "allocations served by a class pool")                                 \
  X(cache_hits, "pool allocations served from the freed-block LIFO cache")             \
  X(freelist_hits, "pool allocations served from a class free list")                   \
  X(fresh_blocks, "pool allocations of never-used or trimmed blocks")                  \
  X(pool_frees, "pool blocks freed")                                                   \
  X(pool_grows, "pool chunks added because a class was full")                          \
  X(pool_trims, "calls to madvise giving the free pages at a class's top back")        \
  X(large_allocs, "allocations served by the large path")                              \
  X(large_cache_hits, "large allocations served from the freed-large cache")           \
  X(large_arena_allocs, "large allocations carved from the large arena")               \
  X(large_cache_trims, "cached large blocks given back: cold, or the system refused")  \
  X(large_frees, "large blocks freed")                                                 \
  X(fallback_allocs, "small allocations sent to the system allocator (pool full)")     \
  X(fallback_frees, "fallback blocks freed")                                           \
  X(realloc_in_place, "pool reallocs that kept the pointer (fits in its block)")       \
  X(realloc_pool_to_pool, "reallocs moved to a block of another class")                \
  X(realloc_pool_to_large, "reallocs moved from a pool block to the large path")       \
  X(realloc_large_to_pool, "reallocs moved from the large path to a pool block")       \
  X(realloc_large_in_place, "large reallocs grown or shrunk in place (incl. mremap)")  \
  X(realloc_large_moved, "large reallocs that moved to another large block")           \
  X(realloc_fallback, "reallocs from or to fallback blocks")                           \
  X(failed_allocs, "requests that returned NULL for lack of memory or overflow")       \
  X(invalid_frees, "frees/reallocs of pointers the manager does not own (now)")        \
  X(double_frees, "frees/reallocs of blocks already free (large: of the last 64)")     \
  X(interior_frees, "frees/reallocs of pointers inside a block, not at its start")     \
  X(sys_mallocs, "calls to the system malloc")                                         \
  X(sys_frees, "calls to the system free")                                             \
  X(sys_maps, "calls to mmap (or the map hook)")                                       \
  X(sys_unmaps, "calls to munmap (or the unmap hook)")                                 \
  X(sys_remaps, "calls to mremap")                                                     \
  X(sys_decommits, "calls to madvise giving free large-arena pages back")              \
  X(sys_commits, "calls to mprotect making large-arena pages usable (commit-charged)") \
  X(pool_huge_advices, "calls to madvise asking huge pages for a large class's pool")  \
  X(pool_page_runs, "calls to madvise making a run of a class's pool pages present")   \
  X(arena_page_runs, "calls to madvise making a large-arena block's new pages present")

#define FASTALLOC32_GAUGES(X)                                                                            \
  X(live_allocs, "live allocations (all paths)")                                                         \
  X(bytes_requested, "bytes asked for by live allocations")                                              \
  X(bytes_reserved, "bytes set aside for live allocations (block sizes, large sizes)")                   \
  X(pool_blocks, "pool blocks in use")                                                                   \
  X(large_bytes, "bytes of live large blocks")                                                           \
  X(fallback_bytes, "bytes of live fallback blocks")                                                     \
  X(metadata,                                                                                            \
    "bytes of the manager's own pages touched: its record, and each class's cache, live-size table and " \
    "free list")                                                                                         \
  X(footprint,                                                                                           \
    "bytes held from the system: pool pages touched + metadata + large (live, cached, arena) + fallback")

typedef struct fastalloc32_gauge {
  uint64_t current;
  uint64_t peak;
  uint64_t total;
} fastalloc32_gauge;

/* The footprint gauge's parts: X(name, description). They add up to its
 * current value; footprint_at_peak holds them as they were the last time
 * the footprint stood at its peak, so a profiler can tell what the peak
 * was made of (pools whose classes peaked apart, a large cache, ...). */
#define FASTALLOC32_FOOTPRINT_PARTS(X)                                                     \
  X(pools, "pool pages touched: pages of blocks handed out, until a trim gives them back") \
  X(metadata, "the manager's own pages (the metadata gauge)")                              \
  X(large_arena, "large-arena pages holding memory: live spans and free pages kept")       \
  X(large_blocks, "live large blocks mapped or from the system malloc")                    \
  X(large_cache, "freed large blocks kept for reuse")                                      \
  X(fallback, "fallback slabs (system malloc) and their registry")

typedef struct fastalloc32_footprint_parts {
#define FASTALLOC32_DECLARE_PART(name, desc) uint64_t name;
  FASTALLOC32_FOOTPRINT_PARTS(FASTALLOC32_DECLARE_PART)
#undef FASTALLOC32_DECLARE_PART
} fastalloc32_footprint_parts;

#define FASTALLOC32_STATS_VERSION 9

typedef struct fastalloc32_stats {
  uint32_t size;          /* sizeof(fastalloc32_stats) the caller was built with */
  uint32_t version;       /* FASTALLOC32_STATS_VERSION */
  uint32_t peaks_tracked; /* config.track_peaks: 0 means the peaks it names read 0 */
  uint32_t reserved0;     /* set to 0 */
#define FASTALLOC32_DECLARE_COUNTER(name, desc) uint64_t name;
  FASTALLOC32_COUNTERS(FASTALLOC32_DECLARE_COUNTER)
#undef FASTALLOC32_DECLARE_COUNTER
#define FASTALLOC32_DECLARE_GAUGE(name, desc) fastalloc32_gauge name;
  FASTALLOC32_GAUGES(FASTALLOC32_DECLARE_GAUGE)
#undef FASTALLOC32_DECLARE_GAUGE
  fastalloc32_footprint_parts footprint_now;     /* adds up to footprint.current */
  fastalloc32_footprint_parts footprint_at_peak; /* adds up to footprint.peak */
} fastalloc32_stats;

/* Per size class. */
typedef struct fastalloc32_class_stats {
  size_t block_size;
  uint64_t capacity_blocks; /* blocks the class can hold now (grows with the pool) */
  uint64_t allocs;
  uint64_t frees;
  uint64_t cache_hits;
  uint64_t freelist_hits;
  uint64_t fresh_blocks;
  uint64_t fallback_allocs; /* requests of this class sent to the system allocator */
  fastalloc32_gauge blocks_in_use;
  fastalloc32_gauge bytes_requested;
  uint64_t cached_blocks; /* now in the LIFO cache */
  /* Pool bytes handed out since they were last fresh: the class's highest
   * block ever used, times block_size, until a trim (trim_pools) gives the
   * free blocks at its top back and lowers it to the highest block still
   * live. The high-water in blocks is blocks_in_use.peak. */
  uint64_t touched_bytes;
} fastalloc32_class_stats;

/* Fill *out. Set out->size = sizeof(*out) first; returns the status
 * (FASTALLOC32_E_BAD_CONFIG if out->size is not a size this library knows). */
FASTALLOC32_API fastalloc32_status fastalloc32_get_stats(const fastalloc32_mm* mm, fastalloc32_stats* out);
FASTALLOC32_API uint32_t fastalloc32_class_count(const fastalloc32_mm* mm);
/* index < class_count; returns FASTALLOC32_E_BAD_CONFIG otherwise. */
FASTALLOC32_API fastalloc32_status fastalloc32_get_class_stats(const fastalloc32_mm* mm, uint32_t index,
                                                               fastalloc32_class_stats* out);

/* Calls fn for every live allocation (leak check). Stops early when fn
 * returns non-zero. The manager must not be changed from inside fn. */
typedef int (*fastalloc32_live_fn)(void* ptr, size_t requested, size_t reserved, fastalloc32_kind kind,
                                   void* user);
FASTALLOC32_API void fastalloc32_for_each_live(const fastalloc32_mm* mm, fastalloc32_live_fn fn, void* user);

/* A lua_Alloc-shaped allocation function, so a C embedder can write
 * lua_newstate(fastalloc32_lua_alloc, mm). ud is the fastalloc32_mm*.
 * nsize == 0 frees ptr and returns NULL; otherwise it behaves like
 * fastalloc32_realloc(ud, ptr, nsize). Lua passes a type tag, not a size,
 * as osize when ptr is NULL; it is ignored. For a non-NULL ptr osize is the
 * block's size: a shrink (nsize <= osize) never fails, because when no
 * smaller block can be had the old one is kept (Lua 5.1-5.3 and LuaJIT
 * assume shrinking cannot fail); that counts as a resize in place at nsize,
 * not as a failed allocation, and is not reported. A NULL ud returns NULL. */
FASTALLOC32_API void* fastalloc32_lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize);

/* Walks every internal structure and verifies its invariants (pool
 * bounds, free list and cache against the live-size table, large table,
 * counters; the full list is in docs/design.md). FASTALLOC32_E_CORRUPT,
 * also reported through the error callback, when one is broken. For tests
 * and debugging; O(blocks the pools hold now). */
FASTALLOC32_API fastalloc32_status fastalloc32_check(const fastalloc32_mm* mm);

#ifdef __cplusplus
}
#endif

#endif /* FASTALLOC32_H */
