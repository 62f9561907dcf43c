#!/usr/bin/env bash
# Installs every Debian package fa32 builds, tests and benchmarks with.
# Safe to run again: when everything is present it does nothing (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang clang-format libclang-rt-14-dev   # second compiler, formatting check, libFuzzer + sanitizers
  shellcheck                              # CI checks the shell scripts
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev doctest-dev
  libbenchmark-dev liblua5.4-dev lua5.4 zlib1g-dev
  libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4   # allocators fa32 bench compares against
  sqlite3 python3 heaptrack                          # real programs for record tests / overhead figures
  gawk jq perl                                       # more real programs: scripts/record-real-traces.sh
  chromium-headless-shell                            # renders the HTML reports in a test
  time valgrind                                      # scripts/bench-replay.sh, measure-record-overhead.sh; bench-instructions.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
