#!/usr/bin/env bash
# fa32 under a limit on address space (ulimit -v), as in many sandboxes
# and containers: the default manager reserves over 4 GiB of it for its
# pools' growth, and must lower its pool limit instead of failing. The
# replay must succeed, say in its config which limit it ran with, and give
# the same figures as without the limit on a trace that stays far below it.
#   address_limit.sh FA32 TRACE
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
fa32=$1
trace=$2
strip() {
  # Everything but the allocator's config line and the timings.
  python3 -c '
import json, sys
d = json.load(sys.stdin)
d["allocator"].pop("config")
d.pop("timing")
print(json.dumps(d, sort_keys=True))'
}
free_run=$("$fa32" stats "$trace" --allow-leaks --format json)
limited=$(ulimit -v 2000000 && "$fa32" stats "$trace" --allow-leaks --format json)
config=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["allocator"]["config"])' <<<"$limited")
# How far it is lowered depends on what else the process maps (16 MiB on
# the machines this was written on); that it is, and why, must be said.
grep -Eq 'pool limit [0-9]+ B \(lowered from 67108864 B: the system refused the address space\)' <<<"$config" || {
  echo "address_limit: the config does not say the pool limit was lowered: $config" >&2
  exit 1
}
if [ "$(strip <<<"$free_run")" != "$(strip <<<"$limited")" ]; then
  echo "address_limit: the figures differ under the limit" >&2
  diff <(strip <<<"$free_run" | python3 -m json.tool) <(strip <<<"$limited" | python3 -m json.tool) >&2 || true
  exit 1
fi
echo "address_limit: ok ($config)"
