# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the benchmark scripts' end-to-end tests, in this directory and
# in tests/lua_host.
# shellcheck shell=bash

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# fresh_dir DIR: DIR exists and is empty.
fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
}

# expect_exit CODE WHAT ERRFILE COMMAND...: runs COMMAND with its standard
# error in ERRFILE, and fails the test (naming WHAT) unless it exits CODE.
expect_exit() {
  local want="$1" what="$2" err="$3" rc=0
  shift 3
  "$@" 2>"$err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want"
}
