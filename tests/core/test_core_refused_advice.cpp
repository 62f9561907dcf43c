// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel refuses the manager's page advice: MADV_POPULATE_WRITE with
// EINVAL (a kernel before Linux 5.14, which does not know it) or ENOMEM (a
// memory limit reached while making the run present), MADV_HUGEPAGE with
// EINVAL (a kernel built without transparent huge pages). No hook can make
// these fail, as the advice is given only with the default mmap; so each
// case runs in a child process whose madvise calls with that advice a
// seccomp filter fails with that error, the real call never reaching the
// kernel. What must hold: the blocks are handed out and keep their bytes,
// the footprint is counted as before, fastalloc32_check passes, and the
// manager stops asking only where asking again would fail the same way
// (EINVAL for the runs, in the pools and the large arena alike).
#include <doctest/doctest.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "page_helpers.hpp"
#include "support.hpp"

using namespace fa32_test;

namespace {

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;
#endif

// What a child saw, sent back whole through a pipe.
struct Seen {
  bool filtered = false;    // the filter was installed and refused a probe call
  bool intact = false;      // every block kept its bytes
  bool checked = false;     // fastalloc32_check passed, before and after the frees
  bool errno_kept = false;  // the allocations, which succeeded, left errno as it was
  uint64_t pool_page_runs = 0;
  uint64_t arena_page_runs = 0;
  uint64_t pool_huge_advices = 0;
  uint64_t pools_counted = 0;   // footprint_now.pools
  uint64_t written_end = 0;     // bytes from class 64's stride start to the page after its last block
  uint64_t resident_ahead = 0;  // of the page after that: made present without a write?
  bool huge_flag = false;       // the last block's mapping asked for huge pages ("hg")
};

// Installs a filter failing madvise(..., advice) with err; false if the
// kernel refused the filter.
bool refuse_advice(int advice, int err) {
  constexpr uint32_t kAdviceLow = offsetof(seccomp_data, args[2])
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
                                  + 4
#endif
      ;
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kAdviceLow),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(advice), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<uint32_t>(err) & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return false;
  // A probe: the advice now fails with err whatever the kernel knows.
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  errno = 0;
  const bool refused = madvise(p, 4096, advice) == -1 && errno == err;
  munmap(p, 4096);
  return refused;
}

enum class Order { pools_first, arena_first };

// In the child: a default manager whose class 64 passes `class_bytes` and
// which hands out one 256 KiB large block, before or after the class.
Seen session(size_t class_bytes, Order order) {
  Seen seen;
  seen.filtered = true;
  fastalloc32_mm* mm = fastalloc32_create();
  if (mm == nullptr) return seen;
  Class64 k;
  void* large = nullptr;
  bool ok = true;
  auto make_large = [&] {
    large = fastalloc32_malloc(mm, 256 << 10);
    ok = ok && large != nullptr && fastalloc32_kind_of(mm, large) == FASTALLOC32_KIND_LARGE;
    if (large != nullptr) std::memset(large, 0xA5, 256 << 10);
  };
  constexpr int kMarker = 4242;  // no error code: none of the calls may set it
  errno = kMarker;
  if (order == Order::arena_first) make_large();
  ok = ok && k.fill_past(mm, class_bytes);
  if (order == Order::pools_first) make_large();
  seen.errno_kept = errno == kMarker;
  if (ok) {
    const fastalloc32_stats s = stats(mm);
    seen.pool_page_runs = s.pool_page_runs;
    seen.arena_page_runs = s.arena_page_runs;
    seen.pool_huge_advices = s.pool_huge_advices;
    seen.pools_counted = s.footprint_now.pools;
    seen.written_end = k.written_end();
    seen.resident_ahead = resident_bytes(reinterpret_cast<const char*>(k.start) + k.written_end(), 4096);
    seen.huge_flag = has_flag(vm_flags(k.blocks.back()), "hg");
    const auto* l = static_cast<const uint8_t*>(large);
    seen.intact = k.intact() && l[0] == 0xA5 && l[(256 << 10) - 1] == 0xA5;
    seen.checked = fastalloc32_check(mm) == FASTALLOC32_OK;
    for (void* p : k.blocks) fastalloc32_free(mm, p);
    fastalloc32_free(mm, large);
    seen.checked = seen.checked && fastalloc32_check(mm) == FASTALLOC32_OK;
  }
  fastalloc32_destroy(mm);
  return seen;
}

// Runs session(class_bytes, order) in a child whose madvise(advice) calls
// fail with err; what it saw.
Seen with_refused_advice(int advice, int err, size_t class_bytes, Order order) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    Seen seen;
    if (refuse_advice(advice, err)) seen = session(class_bytes, order);
    const bool sent = write(fds[1], &seen, sizeof seen) == static_cast<ssize_t>(sizeof seen);
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  Seen seen;
  const ssize_t got = read(fds[0], &seen, sizeof seen);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == static_cast<ssize_t>(sizeof seen));
  REQUIRE(seen.filtered);  // seccomp works here: the cases below are real
  CHECK(seen.intact);
  CHECK(seen.checked);
  CHECK(seen.errno_kept);
  return seen;
}

}  // namespace

TEST_CASE(
    "refused page runs: a kernel without MADV_POPULATE_WRITE is asked once, in the pools and the arena") {
  SUBCASE("the pools ask first") {
    const Seen s = with_refused_advice(MADV_POPULATE_WRITE, EINVAL, 300 << 10, Order::pools_first);
    // Asked for the first run only (13 runs to 320 KiB otherwise), and the
    // arena's block, after, asked for nothing.
    CHECK(s.pool_page_runs == 1);
    CHECK(s.arena_page_runs == 0);
    // The footprint still counts the runs whole: the manager holds them.
    CHECK(s.pools_counted == (320 << 10));
    // Nothing was made present ahead of the blocks (unless the kernel gives
    // every range huge pages unasked).
    if (!thp_always()) CHECK(s.resident_ahead == 0);
  }
  SUBCASE("the arena asks first") {
    const Seen s = with_refused_advice(MADV_POPULATE_WRITE, EINVAL, 300 << 10, Order::arena_first);
    CHECK(s.arena_page_runs == 1);
    CHECK(s.pool_page_runs == 0);
    CHECK(s.pools_counted == (320 << 10));
  }
}

TEST_CASE("refused page runs: a run the kernel could not make present (ENOMEM) leaves the next ones asked") {
  const Seen s = with_refused_advice(MADV_POPULATE_WRITE, ENOMEM, 300 << 10, Order::pools_first);
  // 12 runs of 16 KiB to 256 KiB, one of 64 KiB: each asked for, as a
  // later run may well be granted; the arena's block asked too.
  CHECK(s.pool_page_runs == 13);
  CHECK(s.arena_page_runs == 1);
  CHECK(s.pools_counted == (320 << 10));
  if (!thp_always()) CHECK(s.resident_ahead == 0);
}

TEST_CASE(
    "refused huge pages: a kernel without them refuses MADV_HUGEPAGE, and the blocks are served all the "
    "same") {
  // 12 MiB of class 64's blocks: past its first 8 MiB, into its huge zone
  // (when the kernel grants huge pages at all: the manager reads that at
  // create and, when it says never, asks for none).
  const Seen s = with_refused_advice(MADV_HUGEPAGE, EINVAL, 12 << 20, Order::pools_first);
  if (granted_huge_page() != 0) {
    CHECK(s.pool_huge_advices >= 1);
    // Asked, refused: the mapping did not take the advice.
    CHECK_FALSE(s.huge_flag);
    // Counted as the manager's pages all the same: whole huge pages.
    CHECK(s.pools_counted % (2 << 20) == 0);
    CHECK(s.pools_counted >= s.written_end);
  } else {
    CHECK(s.pool_huge_advices == 0);
  }
}
