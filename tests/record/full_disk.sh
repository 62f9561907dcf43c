#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fa32 record when the file system of the output fills up, on a small tmpfs
# mounted in a private mount namespace (skipped, exit 77, where no
# namespace can be made).
#
#   full_disk.sh FA32 THREADS_PROGRAM WORK_DIR
set -u
fa32="$1"
prog="$2"
work="$3"
if [[ "${FA32_FULL_DISK_NS:-}" != 1 ]]; then
  rm -rf "$work"
  mkdir -p "$work/disk"
  if ! unshare -rm true 2>/dev/null; then
    echo "full_disk.sh: skipped: cannot make a user and mount namespace" >&2
    exit 77
  fi
  FA32_FULL_DISK_NS=1 exec unshare -rm bash "$0" "$@"
fi
disk="$work/disk"
failures=0
fail() {
  echo "full_disk.sh: $*" >&2
  failures=$((failures + 1))
}
mount_disk() {
  umount "$disk" 2>/dev/null
  mount -t tmpfs -o "size=$1" tmpfs "$disk" || {
    echo "full_disk.sh: skipped: cannot mount a tmpfs" >&2
    exit 77
  }
}

# The raw recording was grown sparse: the program's first store to a page
# the full disk had no room for was a SIGBUS, which killed it (exit 135).
# Now the recording stops and the program runs on, its exit status passed.
mount_disk 512K
"$fa32" record -o "$disk/t.fa32" -- "$prog" 20000 2>"$work/err1"
status=$?
[[ $status -eq 0 ]] || fail "a full disk: exit $status, not the program's 0: $(cat "$work/err1")"
# Not even the first 1 MiB of the recording fitted: said so, not only
# "statically linked or set-user-ID?".
grep -q "no room for its recording" "$work/err1" || fail "a full disk at the start is not named: $(cat "$work/err1")"

# Room for the first 32 MiB of the recording, not for the next: the events
# until then are in the trace, which says the recording space ran out.
mount_disk 48M
"$fa32" record -o "$disk/t.fa32" -- "$prog" 60000 2>"$work/err2"
status=$?
[[ $status -eq 0 ]] || fail "a disk full mid-way: exit $status, not the program's 0: $(cat "$work/err2")"
grep -q "recording space ran out" "$work/err2" || fail "a disk full mid-way is not reported: $(cat "$work/err2")"
"$fa32" validate "$disk/t.fa32" >/dev/null || fail "the trace of a disk full mid-way does not validate"

# Room for the recording but not for the conversion's scratch file (8 bytes
# a record): fa32 record died of SIGBUS writing into its sparse mapping, no
# message, the scratch directory and its raw file left behind.
mount_disk 36M
"$fa32" record -o "$disk/t.fa32" -- "$prog" 40000 2>"$work/err3"
status=$?
[[ $status -eq 2 ]] || fail "no room to convert: exit $status, not 2: $(cat "$work/err3")"
grep -q "No space left on device" "$work/err3" || fail "no room to convert is not said: $(cat "$work/err3")"
leftover=$(find "$disk" -name '.fa32-record-*')
[[ -z $leftover ]] || fail "no room to convert: the scratch directory is left: $leftover"

exit "$failures"
