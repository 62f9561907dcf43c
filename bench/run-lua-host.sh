#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Real programs: the Lua scripts in bench/lua_host/scripts run by
# fa32_lua_host on fastalloc32 (its default config) and on the process's
# malloc with glibc, jemalloc, mimalloc and tcmalloc (the last three by
# LD_PRELOAD). Every run is a fresh process; the allocators are interleaved
# (each round runs every script once on every allocator, the allocators'
# order rotated from round to round) so a change in the machine's speed hits
# them all alike. Prints a Markdown table of the median CPU seconds per
# script and allocator, with the ratios to the fastest and to glibc, flags
# the scripts where fa32 is not the fastest (within 3 %) or is slower than
# glibc, checks that every allocator returned the same checksum, and prints
# a second table of the median peak resident memory each run added.
set -euo pipefail

usage() {
  cat <<'EOF2'
usage: bench/run-lua-host.sh [--quick] [-r ROUNDS] [-s SCALE] [-a LIST] [-c CPU]
                             [-t SECONDS] [-o FILE] [--host BINARY] [SCRIPT.lua...]

  --quick     a smoke run: scale 0.1 and 2 rounds (unless -s / -r are given)
  -r ROUNDS   interleaved rounds (default $FA32_LUA_ROUNDS, else 5)
  -s SCALE    the scripts' scale argument (default 1: about 0.3-1 s each on glibc)
  -a LIST     comma-separated allocators (default fa32,glibc,jemalloc,mimalloc,tcmalloc);
              fa32-NAME is fastalloc32 with the preset NAME (fa32-compact),
              fa32-no-huge-pages the default with huge pages off, and
              fa32-NAME+no-huge-pages the preset NAME with them off
  -c CPU      pin every run to this CPU with taskset (default: the CPUs this
              script may run on, as a taskset around it sets them)
  -t SECONDS  timeout of each run (default 120)
  -o FILE     keep the raw results (round, script, allocator, CPU s, checksum,
              peak RSS growth in bytes; CPU s is FAILED for a failed run)
  --host BINARY  default build/bench/lua_host/fa32_lua_host
  SCRIPT.lua  default every script in bench/lua_host/scripts

Environment: FA32_PRELOAD_LIBDIR, where jemalloc, mimalloc and tcmalloc are
(default /usr/lib/x86_64-linux-gnu); one not there is left out, and said so.

Exit status: 0 when every run succeeded with the same checksum on every
allocator, 1 otherwise, 2 on bad usage.
EOF2
}

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${FA32_LUA_ROUNDS:-}" scale="" rows='fa32,glibc,jemalloc,mimalloc,tcmalloc' cpu="" limit=120 keep=""
host="$here/../build/bench/lua_host/fa32_lua_host" quick=0
scripts=()
# Option $1's value, $2, or a usage error (exit 2, as --help says).
need() { [ $# -ge 2 ] && [ -n "$2" ] && return; echo "run-lua-host.sh: $1 needs a value" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    -r) need "$@"; rounds="$2"; shift ;;
    -s) need "$@"; scale="$2"; shift ;;
    -a) need "$@"; rows="$2"; shift ;;
    -c) need "$@"; cpu="$2"; shift ;;
    -t) need "$@"; limit="$2"; shift ;;
    -o) need "$@"; keep="$2"; shift ;;
    --host) need "$@"; host="$2"; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run-lua-host.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) scripts+=("$1") ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  rounds="${rounds:-2}" scale="${scale:-0.1}"
fi
rounds="${rounds:-5}" scale="${scale:-1}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "run-lua-host.sh: ROUNDS must be a positive number" >&2; exit 2; }
[[ "$scale" =~ ^[0-9]*\.?[0-9]+$ && "$scale" =~ [1-9] ]] || { echo "run-lua-host.sh: SCALE must be a positive number" >&2; exit 2; }
[[ "$limit" =~ ^[1-9][0-9]*$ ]] || { echo "run-lua-host.sh: -t needs a number of seconds" >&2; exit 2; }
[ -x "$host" ] || { echo "run-lua-host.sh: no host binary at $host (cmake --build build --target fa32_lua_host)" >&2; exit 2; }
if [ ${#scripts[@]} -eq 0 ]; then
  scripts=("$here"/lua_host/scripts/*.lua)
fi
# The table names a script by its file name: two of one name (the same
# script twice, or a/x.lua and b/x.lua) would pool into one row.
declare -A script_seen=()
for s in "${scripts[@]}"; do
  [ -f "$s" ] || { echo "run-lua-host.sh: no script $s" >&2; exit 2; }
  key="$(basename "$s" .lua)"
  [ -z "${script_seen[$key]:-}" ] ||
    { echo "run-lua-host.sh: $s and ${script_seen[$key]} would share the row '$key'" >&2; exit 2; }
  script_seen[$key]="$s"
done
pin=()
if [ -n "$cpu" ]; then
  command -v taskset >/dev/null || { echo "run-lua-host.sh: -c needs taskset (util-linux)" >&2; exit 2; }
  # A CPU list taskset refuses would fail every run, as if the scripts had.
  taskset -c "$cpu" true 2>/dev/null || { echo "run-lua-host.sh: -c '$cpu' is not a CPU this process can run on" >&2; exit 2; }
  pin=(taskset -c "$cpu")
fi
# shellcheck source=bench/preload-libs.sh
source "$here/preload-libs.sh"

# Allocator name -> the library to preload (empty: none); fails if unknown.
preload_for() {
  case "$1" in
    fa32 | fa32-* | glibc) echo "" ;;
    *) preload_lib "$1" ;;
  esac
}

# The host's options for fa32-SPEC (SPEC: a preset NAME, no-huge-pages, or
# NAME+no-huge-pages), one a line.
fa32_options() {
  local spec="$1" preset
  preset="${spec%+no-huge-pages}"
  [ "$preset" = no-huge-pages ] && preset=""
  [ -z "$preset" ] || printf '%s\n' --preset "$preset"
  [ "$preset" = "$spec" ] || echo --no-huge-pages
}

# The host's complaint about fa32-SPEC's options (empty: it takes them),
# asked before any run: otherwise every run of fa32-SPEC fails, as if the
# script had.
options_problem() {
  local opts=()
  mapfile -t opts < <(fa32_options "$1")
  "$host" --alloc fa32 "${opts[@]}" 2>&1 | sed -n 's/^fa32_lua_host: \(unknown preset .*\)/\1/p' || true
}

IFS=',' read -r -a names <<<"$rows"
allocs=() skipped=()
declare -A seen=()
for name in "${names[@]}"; do
  lib="$(preload_for "$name")" || { echo "run-lua-host.sh: unknown allocator '$name'" >&2; exit 2; }
  # Twice in the list, its runs would pool into one column, shown twice.
  [ -z "${seen[$name]:-}" ] || { echo "run-lua-host.sh: allocator '$name' is twice in -a" >&2; exit 2; }
  seen[$name]=1
  if [[ "$name" == fa32-* ]]; then
    problem="$(options_problem "${name#fa32-}")"
    [ -z "$problem" ] || { echo "run-lua-host.sh: unknown allocator '$name': $problem" >&2; exit 2; }
  fi
  if [ -n "$lib" ] && [ ! -e "$lib" ]; then
    echo "note: $lib not installed; skipping $name" >&2
    skipped+=("$name ($lib)")
    continue
  fi
  allocs+=("$name")
done
[ ${#allocs[@]} -gt 0 ] || { echo "run-lua-host.sh: no allocator to run" >&2; exit 2; }

results="${keep:-$(mktemp)}"
[ -n "$keep" ] || trap 'rm -f "$results"' EXIT
{ : >"$results"; } 2>/dev/null || { echo "run-lua-host.sh: cannot write -o $keep" >&2; exit 2; }
failed=0
n=${#allocs[@]}
for round in $(seq 1 "$rounds"); do
  # This round's order: the allocator list rotated by round - 1.
  order=()
  for i in $(seq 0 $((n - 1))); do order+=("${allocs[$(((i + round - 1) % n))]}"); done
  echo "== round $round of $rounds: ${order[*]}" >&2
  for script in "${scripts[@]}"; do
    for name in "${order[@]}"; do
      lib="$(preload_for "$name")"
      # The host checks that the preload took: ld.so only warns when it
      # cannot load one, and the run would measure glibc under its name.
      alloc=(--alloc system ${lib:+--expect-malloc "$lib"})
      [ "$name" = fa32 ] && alloc=(--alloc fa32)
      if [[ "$name" == fa32-* ]]; then
        mapfile -t alloc < <(fa32_options "${name#fa32-}")
        alloc=(--alloc fa32 "${alloc[@]}")
      fi
      rc=0
      out="$(env ${lib:+LD_PRELOAD="$lib"} timeout "$limit" "${pin[@]}" "$host" "${alloc[@]}" "$script" "$scale" 2>&1)" || rc=$?
      # The host prints its figures last: a script's own output before
      # them may hold lines that look alike.
      cpu_s="$(sed -n 's/^cpu_seconds: //p' <<<"$out" | tail -n 1)"
      sum="$(sed -n 's/^checksum: //p' <<<"$out" | tail -n 1)"
      rss="$(sed -n 's/^peak_rss_growth_bytes: //p' <<<"$out" | tail -n 1)"
      # A script that ends the process itself (os.exit) exits 0 before the
      # host prints its figures: that run measured nothing.
      if [ "$rc" = 0 ] && { [ -z "$cpu_s" ] || [ -z "$sum" ]; }; then
        rc=1 out="the host exited 0 without its cpu_seconds and checksum lines (did the script call os.exit?)"
      fi
      if [ "$rc" = 0 ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$(basename "$script" .lua)" "$name" "$cpu_s" "$sum" \
          "${rss:--}" >>"$results"
      else
        failed=1
        [ "$rc" = 124 ] && out="timed out after $limit s"
        echo "FAILED: $name on $(basename "$script") (round $round, exit $rc): $out" >&2
        # So the table names it, even when no allocator ran the script.
        printf '%s\t%s\t%s\tFAILED\t-\t-\n' "$round" "$(basename "$script" .lua)" "$name" >>"$results"
      fi
    done
  done
done

commit="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -z "$(git -C "$here" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit (with local changes)"
echo "### Lua host: CPU seconds per script run (median of $rounds interleaved rounds, scale $scale)"
echo
# Without -c the runs inherit this shell's CPUs: a taskset around the whole
# command pins them as well, and the header says so.
if ((${#pin[@]})); then
  pinning="${pin[*]}"
elif (($(nproc) < $(nproc --all))); then
  pinning="pinned from outside to CPUs $(taskset -pc $$ 2>/dev/null | sed 's/.*: //')"
else
  pinning="not pinned"
fi
echo "fa32 is fastalloc32's default config; source commit $commit; $pinning."
# On standard output too: the flags below compare fa32 with the allocators
# that ran only, and a table without a column does not say why.
if [ ${#skipped[@]} -gt 0 ]; then
  echo
  list="${skipped[0]}"
  for s in "${skipped[@]:1}"; do list+=", $s"; done
  echo "Not installed, so not run and not compared with: $list."
fi
echo
python3 "$here/lua_host/tabulate.py" "$results" "${allocs[@]}" || failed=1
[ "$failed" = 0 ] || { echo "run-lua-host.sh: some runs failed (see above)" >&2; exit 1; }
