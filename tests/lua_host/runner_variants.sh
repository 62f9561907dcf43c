#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run-lua-host.sh's fastalloc32 variants: fa32-NAME (a preset),
# fa32-no-huge-pages and fa32-NAME+no-huge-pages each reach the host as
# the options they name, each in a column of its own; an unknown preset
# with +no-huge-pages is refused before any run. The host is wrapped so
# that every run's arguments are logged.
#
#   runner_variants.sh SOURCE_DIR HOST WORK_DIR
set -euo pipefail
src="$1"
host="$2"
work="$3"
# shellcheck source=tests/record/script_helpers.sh
. "$src/tests/record/script_helpers.sh"
fresh_dir "$work"
cat >"$work/host.sh" <<EOF2
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$work/calls.txt"
exec "$host" "\$@"
EOF2
chmod +x "$work/host.sh"
bash "$src/bench/run-lua-host.sh" --host "$work/host.sh" -r 1 -s 0.01 \
  -a fa32,fa32-no-huge-pages,fa32-compact,fa32-compact+no-huge-pages \
  "$src/tests/lua_host/scripts/args.lua" >"$work/table.md" 2>"$work/stderr.txt" ||
  fail "exit status $? ($(cat "$work/stderr.txt"))"
cat "$work/table.md"
script="$src/tests/lua_host/scripts/args.lua"
for expected in "--alloc fa32 $script 0.01" "--alloc fa32 --no-huge-pages $script 0.01" \
  "--alloc fa32 --preset compact $script 0.01" "--alloc fa32 --preset compact --no-huge-pages $script 0.01"; do
  grep -qxF -- "$expected" "$work/calls.txt" || fail "no run with: $expected"
done
grep -qF '| script | fa32 | fa32-no-huge-pages | fa32-compact | fa32-compact+no-huge-pages |' "$work/table.md" ||
  fail "the table's columns"

expect_exit 2 "-a fa32-nosuch+no-huge-pages" "$work/bad.txt" \
  bash "$src/bench/run-lua-host.sh" --host "$host" -r 1 -s 0.01 -a fa32,fa32-nosuch+no-huge-pages "$script"
grep -q "unknown allocator 'fa32-nosuch+no-huge-pages': unknown preset 'nosuch'" "$work/bad.txt" ||
  fail "-a fa32-nosuch+no-huge-pages: no message"
echo "ok"
