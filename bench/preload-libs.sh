# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the benchmark scripts: the Debian allocators they compare
# fastalloc32 with, and where each one's library is.
# shellcheck shell=bash

# shellcheck disable=SC2034  # read by the scripts that source this file
preload_names=(jemalloc mimalloc tcmalloc)

# preload_lib NAME: the library to LD_PRELOAD for NAME (jemalloc, mimalloc,
# tcmalloc); fails for any other name. FA32_PRELOAD_LIBDIR: where the
# libraries are (default Debian's x86-64 multiarch directory).
preload_lib() {
  local libdir="${FA32_PRELOAD_LIBDIR:-/usr/lib/x86_64-linux-gnu}"
  case "$1" in
    jemalloc) echo "$libdir/libjemalloc.so.2" ;;
    mimalloc) echo "$libdir/libmimalloc.so.2" ;;
    tcmalloc) echo "$libdir/libtcmalloc_minimal.so.4" ;;
    *) return 1 ;;
  esac
}
