# Runs one benchmark script on fastalloc32 (twice, with --stats) and on the
# system malloc; both must succeed and return the same checksum, and the
# fastalloc32 runs must have gone through fastalloc32. Invoked by ctest as
#   cmake -DHOST=<fa32_lua_host> -DSCRIPT=<file.lua> -DSCALE=<scale> -P same_checksum.cmake
# SPDX-License-Identifier: GPL-3.0-or-later
cmake_minimum_required(VERSION 3.25)

set(failures "")
foreach(alloc fa32 system)
  set(extra "")
  if(alloc STREQUAL "fa32")
    set(extra --stats --repeat 2)
  endif()
  execute_process(COMMAND "${HOST}" --alloc ${alloc} ${extra} "${SCRIPT}" ${SCALE}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  set(err_${alloc} "${err}")
  if(NOT rc STREQUAL "0")
    string(APPEND failures "  --alloc ${alloc}: exit ${rc}\n${err}\n")
    continue()
  endif()
  if(NOT out MATCHES "\nchecksum: ([^\n]+)\n")
    string(APPEND failures "  --alloc ${alloc}: no checksum in\n${out}\n")
    continue()
  endif()
  set(sum_${alloc} "${CMAKE_MATCH_1}")
  if(NOT out MATCHES "\ncpu_seconds: [0-9]+\\.[0-9]+\n")
    string(APPEND failures "  --alloc ${alloc}: no cpu_seconds in\n${out}\n")
  endif()
  message(STATUS "--alloc ${alloc}: checksum ${sum_${alloc}}")
endforeach()
if(DEFINED sum_fa32 AND DEFINED sum_system AND NOT sum_fa32 STREQUAL sum_system)
  string(APPEND failures "  checksums differ: fa32 ${sum_fa32}, system ${sum_system}\n")
endif()
# Both fa32 runs printed their stats, and each served allocations.
string(REGEX MATCHALL "fastalloc32 stats:\n  mallocs: [1-9][0-9]*" served "${err_fa32}")
list(LENGTH served n_served)
if(DEFINED sum_fa32 AND NOT n_served EQUAL 2)
  string(APPEND failures "  --alloc fa32 --stats --repeat 2: expected 2 stats blocks with mallocs > 0, got:\n${err_fa32}\n")
endif()
if(failures)
  message(FATAL_ERROR "${SCRIPT}:\n${failures}")
endif()
