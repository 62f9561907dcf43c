/* The raw file the preloaded recorder writes and `fa32 record` converts.
 * One file per process image: a 4 KiB header, then fixed-size records in
 * the order of a global sequence index. Native endianness and layout: the
 * file never leaves the machine that wrote it (it is converted and deleted
 * right after the program exits).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef FA32_RECORD_RAW_FORMAT_H
#define FA32_RECORD_RAW_FORMAT_H

#include <stdint.h>

#define FA32_RAW_MAGIC "FA32RAW" /* 8 bytes with the NUL */
#define FA32_RAW_VERSION 1u
#define FA32_RAW_HEADER_SIZE 4096u
#define FA32_RAW_COMMIT 0xFA32u /* written last: a record without it is torn */

/* Environment the recorder reads (set by `fa32 record`). */
#define FA32_RAW_ENV_DIR "FA32_RECORD_DIR" /* where raw files go; unset = do not record */
#define FA32_RAW_ENV_PARENT_PID \
  "FA32_RECORD_PARENT_PID" /* without follow-forks only children of this pid record */
#define FA32_RAW_ENV_FOLLOW "FA32_RECORD_FOLLOW_FORKS" /* "1": every descendant records */

enum fa32_raw_op {
  FA32_RAW_MALLOC = 1,        /* ptr = result, size */
  FA32_RAW_CALLOC = 2,        /* ptr = result, size = element size, arg = count */
  FA32_RAW_ALIGNED = 3,       /* ptr = result, size, arg = alignment */
  FA32_RAW_FREE = 4,          /* ptr = freed pointer (logged before the real free) */
  FA32_RAW_REALLOC_BEGIN = 5, /* arg = old pointer (logged before the real realloc) */
  FA32_RAW_REALLOC_END = 6,   /* ptr = result (NULL: failed), size, arg = old pointer */
};

/* Header flags. */
#define FA32_RAW_FLAG_OVERFLOW 1u /* the reservation filled up: later events were not recorded */
#define FA32_RAW_FLAG_EXEC 2u     /* an exec of exec_path was under way (cleared if it failed) */

struct fa32_raw_header {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  uint32_t record_size;
  uint32_t exec_generation; /* 0 for the first image of this pid, 1 after its first exec, ... */
  int64_t pid;
  int64_t ppid;
  uint64_t start_realtime_ns;  /* CLOCK_REALTIME when recording began */
  uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC then; record times are on this clock */
  uint64_t next_index;         /* records reserved so far (updated atomically) */
  uint32_t flags;              /* FA32_RAW_FLAG_* (updated atomically) */
  uint32_t cmdline_size;       /* bytes used in cmdline */
  char cmdline[3072];          /* /proc/self/cmdline: NUL-separated arguments, maybe cut short */
  /* The program of the last exec attempted, NUL-terminated, maybe cut
   * short; meaningful while FA32_RAW_FLAG_EXEC is set. Zero in files of
   * recorders without it, which never set the flag either. */
  char exec_path[256];
  /* The errno of the growth that failed when FA32_RAW_FLAG_OVERFLOW is
   * set (ENOSPC: a full disk, EFBIG: the file size limit); 0 when the
   * reserved address space was full, and in files of older recorders. */
  uint32_t grow_error;
};

struct fa32_raw_record {
  uint64_t ptr;
  uint64_t size;
  uint64_t arg;
  uint64_t time_ns; /* CLOCK_MONOTONIC */
  uint32_t tid;
  uint8_t op;
  uint8_t reserved;
  uint16_t commit; /* FA32_RAW_COMMIT, stored last with release order */
};

#ifdef __cplusplus
static_assert(sizeof(fa32_raw_record) == 40, "raw record layout");
static_assert(sizeof(fa32_raw_header) <= FA32_RAW_HEADER_SIZE, "raw header layout");
#else
_Static_assert(sizeof(struct fa32_raw_record) == 40, "raw record layout");
_Static_assert(sizeof(struct fa32_raw_header) <= FA32_RAW_HEADER_SIZE, "raw header layout");
#endif

#endif
