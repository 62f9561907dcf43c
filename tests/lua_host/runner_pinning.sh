#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-lua-host.sh's header says how the runs are pinned: by its own
# -c, by a taskset around the whole command (the runs inherit its CPUs),
# or not at all.
#
#   runner_pinning.sh SOURCE_DIR HOST WORK_DIR
set -euo pipefail
src="$1"
host="$2"
work="$3"
# shellcheck source=tests/record/script_helpers.sh
. "$src/tests/record/script_helpers.sh"
fresh_dir "$work"
script="$src/tests/lua_host/scripts/args.lua"
# The header: the line before the table.
header() { grep -m1 "^fa32 is fastalloc32's default config" "$1" || fail "$1: no header line"; }

all_cpus="0-$(($(nproc --all) - 1))"
taskset -c "$all_cpus" bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 "$script" \
  >"$work/free.md" 2>"$work/free.err" || fail "unpinned run: exit $? ($(cat "$work/free.err"))"
# A container may hold fewer CPUs than the machine has: then even this
# run is narrowed from outside, and the header must say so.
if (($(taskset -c "$all_cpus" nproc) == $(nproc --all))); then
  header "$work/free.md" | grep -q "; not pinned\.$" || fail "every CPU allowed: $(header "$work/free.md")"
else
  header "$work/free.md" | grep -q "; pinned from outside to CPUs " || fail "a narrowed container: $(header "$work/free.md")"
fi

bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 -c 0 "$script" \
  >"$work/own.md" 2>"$work/own.err" || fail "-c 0: exit $? ($(cat "$work/own.err"))"
header "$work/own.md" | grep -q "; taskset -c 0\.$" || fail "-c 0: $(header "$work/own.md")"

if (($(nproc --all) > 1)); then
  taskset -c 0 bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32 "$script" \
    >"$work/outside.md" 2>"$work/outside.err" || fail "taskset -c 0 around it: exit $? ($(cat "$work/outside.err"))"
  header "$work/outside.md" | grep -q "; pinned from outside to CPUs 0\.$" ||
    fail "taskset -c 0 around it: $(header "$work/outside.md")"
else
  echo "one CPU: a taskset around the command cannot narrow it (checked on machines with two or more)"
fi
echo "ok"
