#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/lua_host/tabulate.py's memory table, on made-up results whose
# figures are known: the median of each cell, fa32's ratio to the lowest
# other allocator (a fa32-NAME preset is not one), and a script whose
# lines carry no RSS (the host's older five-field lines) shown as "-".
#
#   tabulate_memory.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
MiB=1048576
{
  # a: fa32 3 MiB (median of 2, 3 and 4), glibc 2, jemalloc 4, fa32-compact 1.
  printf '1\ta\tfa32\t0.5\tx\t%d\n' $((2 * MiB)) $((3 * MiB)) $((4 * MiB))
  printf '1\ta\tglibc\t0.6\tx\t%d\n' $((2 * MiB))
  printf '1\ta\tjemalloc\t0.4\tx\t%d\n' $((4 * MiB))
  printf '1\ta\tfa32-compact\t0.5\tx\t%d\n' $((1 * MiB))
  # b: no RSS figures at all.
  printf '1\tb\t%s\t0.5\ty\n' fa32 glibc jemalloc fa32-compact
} >"$work/results.tsv"
python3 "$src/bench/lua_host/tabulate.py" "$work/results.tsv" fa32 glibc jemalloc fa32-compact >"$work/table.md"
cat "$work/table.md"
memory="$(sed -n '/^Peak resident memory/,$p' "$work/table.md")"
[ -n "$memory" ] || fail "no memory table"
grep -qxF '| a | 3.0 | 2.0 | 4.0 | 1.0 | 1.50x glibc |' <<<"$memory" || fail "row a"
grep -qxF '| b | - | - | - | - | - |' <<<"$memory" || fail "row b"
# Results without any RSS figure print no memory table.
grep -v $'^1\ta\t' "$work/results.tsv" >"$work/no-rss.tsv"
python3 "$src/bench/lua_host/tabulate.py" "$work/no-rss.tsv" fa32 glibc jemalloc fa32-compact >"$work/no-rss.md"
! grep -q '^Peak resident memory' "$work/no-rss.md" || fail "a memory table without figures"
echo "ok"
