# Runs fa32_lua_host once and checks its exit status and output. Invoked by
# ctest as
#   cmake -DHOST=<exe> -DARGS=a|b|c [-DEXIT=n] [-DSTDOUT=regex] [-DSTDERR=regex] -P run_host.cmake
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
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  string(APPEND failures "  stderr does not match /${STDERR}/\n")
endif()
if(failures)
  message(FATAL_ERROR "fa32_lua_host ${args}:\n${failures}--- stdout\n${out}--- stderr\n${err}")
endif()
