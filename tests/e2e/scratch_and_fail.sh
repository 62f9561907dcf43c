# shellcheck shell=bash
# Sourced by the end-to-end scripts that count their failures instead of
# stopping at the first: a scratch directory, removed at exit, becomes the
# current one, and `fail MESSAGE` reports under the script's name and adds
# to $failures, which the script turns into its exit status.
#   . scratch_and_fail.sh NAME
# SPDX-License-Identifier: GPL-3.0-or-later
e2e_name=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
# shellcheck disable=SC2034 # read by the script that sources this one
failures=0
fail() {
  echo "$e2e_name: $*" >&2
  failures=$((failures + 1))
}
