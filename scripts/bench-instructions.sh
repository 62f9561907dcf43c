#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the time of `fa32 bench` goes, counted in instructions (callgrind), so
# the figure does not depend on how busy the machine is.
#
#   scripts/bench-instructions.sh FA32_BINARY TRACE [FA32_CONFIG]
#
# Prints, per allocator, the instructions per event executed in the allocator
# (fastalloc32's core/src, glibc's malloc.c, or the preloaded library) and in
# the replay loop, over one untimed probe and two timed replays of TRACE.
# The probe's footprint sampling (mallinfo2, fastalloc32 stats and check) is
# left out.
set -euo pipefail
fa32=${1:?usage: $0 FA32_BINARY TRACE [FA32_CONFIG]}
trace=${2:?usage: $0 FA32_BINARY TRACE [FA32_CONFIG]}
config=${3:-classes=16,32,48,64,96,128,192,256,384,512,768,1024,1536,2048,3072,4096:pool-size=256K:pool-limit=256M}
libdir=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

events=$("$fa32" bench-worker "$trace" --kind system --repetitions 1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')

count() {  # name, callgrind file
  callgrind_annotate --auto=no --threshold=100 "$2" | python3 -c '
import re, sys
name, events = sys.argv[1], int(sys.argv[2]) * 3
alloc = loop = 0
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
    if not m or "PROGRAM TOTALS" in m.group(2):
        continue
    n, f = int(m.group(1).replace(",", "")), m.group(2)
    if "Replayer::run" in f:
        loop += n
    elif any(s in f for s in ("check.cpp", "check_manager", "stats.cpp", "mallinfo")):
        continue
    elif name == "fa32" and re.match(r"(.*/)?core/src/", f):
        alloc += n
    elif name == "glibc" and "malloc/malloc.c" in f:
        alloc += n
    elif name not in ("fa32", "glibc") and (name in f.rsplit("[", 1)[-1] or f.endswith("[???]")):
        alloc += n
print(f"{name:9} allocator {alloc / events:6.1f} instr/event   replay loop {loop / events:6.1f} instr/event")
' "$1" "$events"
}

valgrind --tool=callgrind --callgrind-out-file="$out/fa32" "$fa32" bench-worker "$trace" --kind fastalloc32 \
  --fa32-config "$config" --repetitions 2 >/dev/null 2>&1
count fa32 "$out/fa32"
valgrind --tool=callgrind --callgrind-out-file="$out/glibc" "$fa32" bench-worker "$trace" --kind system \
  --repetitions 2 >/dev/null 2>&1
count glibc "$out/glibc"
for lib in jemalloc:libjemalloc.so.2 mimalloc:libmimalloc.so.2 tcmalloc:libtcmalloc_minimal.so.4; do
  name=${lib%%:*}
  path=$libdir/${lib#*:}
  [ -e "$path" ] || { echo "$name      not installed" >&2; continue; }
  LD_PRELOAD=$path valgrind --tool=callgrind --callgrind-out-file="$out/$name" "$fa32" bench-worker "$trace" \
    --kind preload --expect-library "$path" --repetitions 2 >/dev/null 2>&1
  count "$name" "$out/$name"
done
