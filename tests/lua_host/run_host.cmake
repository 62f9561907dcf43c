# Runs fa32_lua_host once and checks its exit status and output. Invoked by
# ctest as
#   cmake -DHOST=<exe> -DARGS=a|b|c [-DEXIT=n] [-DSTDOUT=regex] [-DSTDERR=regex] [-DMIN_RSS=bytes]
#         -P run_host.cmake
# SPDX-License-Identifier: GPL-3.0-or-later
cmake_minimum_required(VERSION 3.25)

string(REPLACE "|" ";" args "${ARGS}")
if(NOT DEFINED EXIT)
  set(EXIT 0)
endif()
execute_process(COMMAND "${HOST}" ${args} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(failures "")
if(NOT rc STREQUAL "${EXIT}")
  string(APPEND failures "  exit status ${rc}, expected ${EXIT}\n")
endif()
if(DEFINED STDOUT AND NOT out MATCHES "${STDOUT}")
  string(APPEND failures "  stdout does not match /${STDOUT}/\n")
endif()
# MIN_RSS: the run's peak_rss_growth_bytes must be at least this.
if(DEFINED MIN_RSS)
  if(NOT out MATCHES "\npeak_rss_growth_bytes: ([0-9]+)\n")
    string(APPEND failures "  no peak_rss_growth_bytes line\n")
  elseif(CMAKE_MATCH_1 LESS MIN_RSS)
    string(APPEND failures "  peak_rss_growth_bytes ${CMAKE_MATCH_1}, expected at least ${MIN_RSS}\n")
  endif()
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  string(APPEND failures "  stderr does not match /${STDERR}/\n")
endif()
if(failures)
  message(FATAL_ERROR "fa32_lua_host ${args}:\n${failures}--- stdout\n${out}--- stderr\n${err}")
endif()
