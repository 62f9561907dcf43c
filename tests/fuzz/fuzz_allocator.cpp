// libFuzzer target: the allocator's C API under any sequence of calls, good
// and bad, on any config the bytes describe, with a system allocator that
// fails when the bytes say so. The input is a config followed by
// operations; a model of what is live checks every answer:
//  - every live block keeps its contents (each is filled with a byte of its
//    own; past 64 KiB three blocks in four only a sample: its edges and a
//    word every 16 pages, see for_each_filled), is aligned, and
//    usable_size/kind_of describe it; no two live blocks share an address,
//    and every pointer lies inside its own block (usable_size >= 1,
//    zero-size blocks included);
//  - with secure_zero (and the counting hooks, whose memory starts zeroed),
//    no byte a block's caller did not write itself holds anything, and
//    every block the system free gets back is wiped;
//  - realloc keeps the old contents up to the smaller size, and on failure
//    leaves the old block live and intact;
//  - every bad free or realloc (a stale, interior or foreign pointer) is
//    counted exactly once, reported through on_error, and changes nothing;
//  - the stats' live figures equal the model's after every call, and
//    fastalloc32_check passes;
//  - for_each_live lists exactly the model's blocks, and after destroy
//    every byte taken from the system has been given back.
// Any abort, crash or sanitizer report is a bug.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "fastalloc32.h"

namespace {

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_allocator: %s (line %d)\n", what, line);
  std::abort();
}
#define FUZZ_EXPECT(cond)               \
  do {                                  \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (0)

// Whether the n bytes at p all equal v. Kept out of the coverage
// instrumentation: with a traced compare for every byte of every block
// checked, the harness took 90 % of each run (7 inputs a second), not the
// allocator, and its byte compares are no guide to new allocator paths.
#if defined(__clang__)
__attribute__((no_sanitize("coverage"), noinline))
#endif
bool all_bytes_are(const unsigned char* p, std::size_t n, unsigned char v) {
  const std::uint64_t word = v * 0x0101010101010101u;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w != word) return false;
  }
  for (; i < n; ++i) {
    if (p[i] != v) return false;
  }
  return true;
}

// Reads the input front to back; past the end every read is 0.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  std::uint8_t u8() { return p_ == end_ ? 0 : *p_++; }
  std::uint32_t u16() { return u8() | (std::uint32_t(u8()) << 8); }
  std::uint32_t u32() { return u16() | (u16() << 16); }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// The system hooks: count what is outstanding, and fail every `period`-th
// call (0: never). Requests beyond kMaxSystem fail as they would on a
// real system (the sanitizers abort on them instead).
constexpr std::size_t kMaxSystem = std::size_t(1) << 30;
constexpr std::size_t kPage = 4096;
constexpr std::size_t kMaxUnmapped = 256;  // regions kept inaccessible at once
struct System {
  std::uint32_t period = 0;
  std::uint32_t calls = 0;
  long mallocs_out = 0;
  long maps_out = 0;
  std::size_t mapped_bytes = 0;
  // With secure_zero: malloc'd blocks start zeroed, and each must be all
  // zero again when it comes back (every byte a caller wrote was wiped).
  bool secure = false;
  std::map<void*, std::size_t> blocks;
  // What sys_map handed out (start -> size asked for), and the regions
  // given back, kept inaccessible until the input ends (oldest first).
  std::map<void*, std::size_t> maps;
  std::vector<std::pair<void*, std::size_t>> unmapped;

  System() = default;
  System(const System&) = delete;
  System& operator=(const System&) = delete;
  ~System() {
    for (const auto& [p, size] : maps) munmap(static_cast<char*>(p) - kPage, guarded(size));
    for (const auto& [region, size] : unmapped) munmap(region, size);
  }

  bool should_fail() { return period != 0 && ++calls % period == 0; }
  // A mapping of `size` with a guard page either side.
  static std::size_t guarded(std::size_t size) { return (size + kPage - 1) / kPage * kPage + 2 * kPage; }
};

void* sys_malloc(std::size_t size, void* user) {
  auto* s = static_cast<System*>(user);
  if (s->should_fail() || size > kMaxSystem) return nullptr;
  // calloc: ASan takes large blocks fresh from mmap and need not clear them.
  void* p = s->secure ? std::calloc(1, size) : std::malloc(size);
  if (p != nullptr) {
    s->mallocs_out++;
    if (s->secure) s->blocks[p] = size;
  }
  return p;
}
void sys_free(void* p, void* user) {
  auto* s = static_cast<System*>(user);
  if (p != nullptr) s->mallocs_out--;
  if (s->secure && p != nullptr) {
    auto it = s->blocks.find(p);
    FUZZ_EXPECT(it != s->blocks.end());
    const auto* b = static_cast<const unsigned char*>(p);
    FUZZ_EXPECT(all_bytes_are(b, it->second, 0));
    s->blocks.erase(it);
  }
  std::free(p);
}
// The map hook must give zeroed, page-aligned memory. A real anonymous
// mapping does, and its pages cost nothing until touched (the allocator
// reserves up to 1 GiB through this hook: aligned_alloc and a memset of
// all of it took most of each run). ASan does not watch mapped memory, so
// a PROT_NONE page either side makes an access just outside the mapping
// fault (ASan reports the SEGV), and a region given back stays
// inaccessible, not reused, until the input ends: a use after unmap
// faults too.
void* sys_map(std::size_t size, void* user) {
  auto* s = static_cast<System*>(user);
  if (s->should_fail() || size > kMaxSystem) return nullptr;
  const std::size_t total = System::guarded(size);
  void* region = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) return nullptr;
  char* p = static_cast<char*>(region) + kPage;
  if (mprotect(p, total - 2 * kPage, PROT_READ | PROT_WRITE) != 0) {
    munmap(region, total);
    return nullptr;
  }
  FUZZ_EXPECT(s->maps.emplace(p, size).second);
  s->maps_out++;
  s->mapped_bytes += size;
  return p;
}
// Gives back exactly what sys_map handed out, at the size it was asked
// for.
void sys_unmap(void* p, std::size_t size, void* user) {
  auto* s = static_cast<System*>(user);
  auto it = s->maps.find(p);
  FUZZ_EXPECT(it != s->maps.end());
  FUZZ_EXPECT(it->second == size);
  s->maps.erase(it);
  s->maps_out--;
  s->mapped_bytes -= size;
  // The pages go back to the system; the address range stays reserved.
  void* region = static_cast<char*>(p) - kPage;
  const std::size_t total = System::guarded(size);
  FUZZ_EXPECT(mmap(region, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1,
                   0) == region);
  if (s->unmapped.size() >= kMaxUnmapped) {
    munmap(s->unmapped.front().first, s->unmapped.front().second);
    s->unmapped.erase(s->unmapped.begin());
  }
  s->unmapped.emplace_back(region, total);
}

struct Errors {
  std::uint64_t calls = 0;
  fastalloc32_status last = FASTALLOC32_OK;
};
void on_error(fastalloc32_status status, const void*, void* user) {
  auto* e = static_cast<Errors*>(user);
  e->calls++;
  e->last = status;
}

struct Block {
  unsigned char* p;
  std::size_t size;
  unsigned char fill;
  std::size_t written;  // bytes from p its caller has written (in place, a shrink keeps them)
};

// The bytes of a block of `size` its caller writes with its fill byte, and
// which are checked: all of them up to kWholeFill, and in one block of
// kWholeEvery past it (by fill byte, so successive blocks take turns);
// in the others the first and last kEdge bytes and one 8-byte word every
// kSampleStride bytes between, starting at a page and offset that vary
// with the fill. Why a sample: the large blocks (up to 3 MiB, hundreds a
// run) are mostly fresh memory, and touching every page of all of them,
// one word a page or every byte, cost a page fault a page and more than
// half of each run. The edges still catch a copy or a neighbour off by
// some bytes, the sampled words a page dropped or shared, and the blocks
// filled whole a stray write anywhere. The zero checks (calloc,
// secure_zero, the system's blocks) read every byte.
constexpr std::size_t kWholeFill = std::size_t(64) << 10;
constexpr unsigned kWholeEvery = 4;
constexpr std::size_t kEdge = 4096;
constexpr std::size_t kSampleStride = 16 * kPage;
template <class F>
void for_each_filled(std::size_t size, unsigned char fill, F f) {
  if (size <= kWholeFill || fill % kWholeEvery == 0) {
    f(std::size_t(0), size);
    return;
  }
  f(std::size_t(0), kEdge);
  const std::size_t first = kEdge + fill * (kPage + 8) % kSampleStride;
  for (std::size_t at = first; at + 8 <= size - kEdge; at += kSampleStride) f(at, std::size_t(8));
  f(size - kEdge, kEdge);
}

void fill_block(const Block& b) {
  for_each_filled(b.size, b.fill, [&](std::size_t at, std::size_t n) { std::memset(b.p + at, b.fill, n); });
}

// Whether the first n bytes of a block hold what a block of `filled` bytes
// with this fill was written with.
bool holds_fill(const unsigned char* p, std::size_t filled, unsigned char fill, std::size_t n) {
  bool ok = true;
  for_each_filled(filled, fill, [&](std::size_t at, std::size_t len) {
    if (at < n) ok = ok && all_bytes_are(p + at, (n - at < len ? n - at : len), fill);
  });
  return ok;
}

// Without hooks the library asks the system malloc for what it is asked,
// however large, and takes NULL for an answer, as glibc gives it; ASan's
// malloc aborts instead unless told not to.
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}

// The config the first bytes describe (it may be one create rejects).
fastalloc32_config make_config(Bytes& in, System* sys, Errors* errors) {
  fastalloc32_config c;
  fastalloc32_config_init(&c);
  const std::uint8_t shape = in.u8();
  c.alignment = std::size_t(16) << (shape % 3);  // 16, 32, 64 (up to 1024 below)
  c.class_count = 1 + (shape >> 2) % 5;
  std::size_t bs = 0;
  for (std::uint32_t i = 0; i < c.class_count; ++i) {
    bs += c.alignment * (1 + in.u8() % 8);
    c.block_sizes[i] = bs;
  }
  const std::uint8_t sizes = in.u8();
  c.pool_size = std::size_t(4096) << (sizes % 5);  // 4 KiB .. 64 KiB
  c.pool_limit = (sizes >> 3) % 3 == 0 ? 0 : c.pool_size * (1 + (sizes >> 5) % 4);
  const std::uint8_t knobs = in.u8();
  static constexpr std::uint32_t kCaches[] = {0, 1, 2, 3, 8, 512};
  c.cache_capacity = kCaches[knobs % std::size(kCaches)];
  c.secure_zero = (knobs >> 3) & 1;
  c.track_peaks = (knobs >> 4) & 1;
  static constexpr std::size_t kLargeCache[] = {0, std::size_t(64) << 10, std::size_t(8) << 20};
  c.large_cache_bytes = kLargeCache[(knobs >> 5) % 3];
  c.mmap_threshold = std::size_t(16) << (10 + in.u8() % 7);  // 16 KiB .. 1 MiB
  // No arena, arenas that fill up, and the default (too big for the
  // counting hooks below: there the reservation fails and the system path
  // serves).
  const std::size_t kArena[] = {0, std::size_t(64) << 10, std::size_t(1) << 20, c.large_arena_size};
  const std::uint8_t arena = in.u8();
  c.large_arena_size = kArena[arena % std::size(kArena)];
  // The corners (bits 2-4 of the same byte; the other values keep the
  // config above): mmap thresholds down to 0, so zero-size and aligned
  // requests of every size are mapped; alignments up to 16 KiB (beyond a
  // page: fallback slabs once aligned only to a page), the classes scaled
  // to them, with the threshold just below one alignment; and no mmap
  // threshold at all (SIZE_MAX: requests past 2^62 once became 1-byte
  // blocks on the system-malloc path).
  static constexpr std::size_t kSmallThresholds[] = {0,         1,          4096 - 16,  4096,
                                                     8192 - 16, 16384 - 16, 32768 - 16, 65536 - 16};
  const std::uint8_t corner = (arena >> 2) % 8;
  if (corner == 5) c.mmap_threshold = kSmallThresholds[arena >> 5];
  if (corner == 6) {
    const std::size_t alignment = std::size_t(128) << ((arena >> 5) % 8);
    for (std::uint32_t i = 0; i < c.class_count; ++i)
      c.block_sizes[i] = c.block_sizes[i] / c.alignment * alignment;
    c.alignment = alignment;
    const std::size_t largest = c.block_sizes[c.class_count - 1];
    if (c.pool_size < largest) {
      const std::size_t chunks = c.pool_limit / c.pool_size;
      while (c.pool_size < largest) c.pool_size *= 2;
      c.pool_limit = c.pool_size * chunks;
    }
    if ((arena >> 7) != 0) c.mmap_threshold = alignment - 16;
  }
  if (corner == 7) c.mmap_threshold = SIZE_MAX;
  // Hooks that count (and maybe fail) most of the time; else libc and real
  // mmap, so mremap is exercised too.
  const std::uint8_t faults = in.u8();
  // Pool trims act only without a map hook (the other case shows they do not).
  c.trim_pools = (faults >> 2) & 1;
  // Huge pages off: the classes' runs reach their strides' ends.
  c.huge_pages = ((faults >> 3) & 1) == 0;
  if (faults % 4 != 0) {
    sys->period = faults < 128 ? 0 : 2 + faults % 61;
    sys->secure = c.secure_zero != 0;
    c.system = {sys_malloc, sys_free, sys_map, sys_unmap, sys};
  }
  c.on_error = on_error;
  c.error_user = errors;
  return c;
}

std::size_t pick_size(Bytes& in) {
  const std::uint8_t kind = in.u8();
  switch (kind % 8) {
    case 0:
      return 0;
    case 1:
    case 2:
    case 3:
      return in.u8();  // pool sizes, mostly
    case 4:
    case 5:
      return in.u16() % 4096;
    case 6:
      return in.u32() % (std::size_t(64) << 10);  // large, below the mmap threshold or above
    default:
      if (kind >= 248) return SIZE_MAX - in.u8();  // fails: overflow or no memory
      return in.u32() % (std::size_t(3) << 20);
  }
}

class Harness {
 public:
  // clean: every byte the manager gets from the system starts zeroed and
  // secure_zero is on, so a byte no caller of the block wrote reads zero.
  Harness(fastalloc32_mm* mm, std::size_t alignment, Errors* errors, bool clean)
      : mm_(mm), alignment_(alignment), errors_(errors), clean_(clean) {}

  void step(Bytes& in) {
    const std::uint8_t op = in.u8();
    switch (op % 12) {
      case 0: {
        const std::size_t size = pick_size(in);
        add(fastalloc32_malloc(mm_, size), size, false);
        break;
      }
      case 1: {
        const std::size_t count = in.u8() % 9;
        const std::size_t size = (op & 0x80) != 0 ? SIZE_MAX / 2 + 1 : pick_size(in);
        void* p = fastalloc32_calloc(mm_, count, size);
        std::size_t total = 0;
        if (__builtin_mul_overflow(count, size, &total)) {
          FUZZ_EXPECT(p == nullptr && fastalloc32_last_status(mm_) == FASTALLOC32_E_OVERFLOW);
          failed_++;
          break;
        }
        add(p, total, true);
        break;
      }
      case 2:
        resize(in);
        break;
      case 3:
        if (!live_.empty()) release(pick(in));
        break;
      case 4: {
        // Up to 8 KiB, and from 16 to 128 KiB for the last four byte values.
        const std::uint8_t a = in.u8();
        const std::size_t align = a >= 252 ? std::size_t(16384) << (a - 252) : std::size_t(1) << (a % 14);
        const std::size_t size = pick_size(in);
        void* p = fastalloc32_aligned_alloc(mm_, align, size);
        FUZZ_EXPECT(reinterpret_cast<std::uintptr_t>(p) % align == 0);
        add(p, size, false);
        break;
      }
      case 5:
      case 6:
      case 7:
        bad_call(in, op);
        break;
      case 8:
        fastalloc32_free(mm_, nullptr);
        break;
      case 9:
        if (!live_.empty()) {
          const Block& b = live_[pick(in)];
          FUZZ_EXPECT(fastalloc32_usable_size(mm_, b.p) >= b.size);
          FUZZ_EXPECT(fastalloc32_kind_of(mm_, b.p) != FASTALLOC32_KIND_NONE);
        }
        break;
      default:
        FUZZ_EXPECT(fastalloc32_check(mm_) == FASTALLOC32_OK);
        break;
    }
    verify_stats();
  }

  // Everything live is listed exactly once with its requested size.
  void verify_live_list() {
    std::map<const void*, std::size_t> listed;
    fastalloc32_for_each_live(
        mm_,
        [](void* p, std::size_t requested, std::size_t reserved, fastalloc32_kind kind, void* user) {
          FUZZ_EXPECT(reserved >= requested && kind != FASTALLOC32_KIND_NONE);
          auto& m = *static_cast<std::map<const void*, std::size_t>*>(user);
          FUZZ_EXPECT(m.emplace(p, requested).second);
          return 0;
        },
        &listed);
    FUZZ_EXPECT(listed.size() == live_.size());
    for (const Block& b : live_) {
      auto it = listed.find(b.p);
      FUZZ_EXPECT(it != listed.end() && it->second == b.size);
      verify_contents(b, b.size);
    }
  }

  void release_all() {
    while (!live_.empty()) release(live_.size() - 1);
    verify_stats();  // and so the manager counts nothing live
  }

 private:
  // Bounds on what the model keeps live, so an input stays fast.
  static constexpr std::size_t kMaxLive = 200;
  static constexpr std::uint64_t kMaxLiveBytes = std::uint64_t(16) << 20;

  std::size_t pick(Bytes& in) const { return in.u16() % live_.size(); }

  void add(void* p, std::size_t size, bool zeroed) {
    if (p == nullptr) {
      const fastalloc32_status s = fastalloc32_last_status(mm_);
      FUZZ_EXPECT(s == FASTALLOC32_E_NOMEM || s == FASTALLOC32_E_OVERFLOW);
      failed_++;
      return;
    }
    auto* bytes = static_cast<unsigned char*>(p);
    FUZZ_EXPECT(reinterpret_cast<std::uintptr_t>(p) % alignment_ == 0);
    FUZZ_EXPECT(fastalloc32_usable_size(mm_, p) >= size);
    FUZZ_EXPECT(fastalloc32_usable_size(mm_, p) >= 1);  // inside its own block
    FUZZ_EXPECT(starts_.find(bytes) == starts_.end());
    if (zeroed || clean_) {
      FUZZ_EXPECT(all_bytes_are(bytes, size, 0));
    }
    const Block b{bytes, size, next_fill(), size};
    fill_block(b);
    starts_[b.p] = live_.size();
    live_.push_back(b);
    requested_ += size;
    while (live_.size() > kMaxLive || requested_ > kMaxLiveBytes) release(0);
  }

  void release(std::size_t i) {
    const Block b = live_[i];
    verify_contents(b, b.size);
    fastalloc32_free(mm_, b.p);
    forget(i);
    remember_stale(b.p);
  }

  void forget(std::size_t i) {
    const Block b = live_[i];
    starts_.erase(b.p);
    requested_ -= b.size;
    if (i + 1 != live_.size()) {
      live_[i] = live_.back();
      starts_[live_[i].p] = i;
    }
    live_.pop_back();
  }

  void resize(Bytes& in) {
    if (live_.empty()) {  // realloc(NULL, n) is malloc(n)
      const std::size_t size = pick_size(in);
      add(fastalloc32_realloc(mm_, nullptr, size), size, false);
      return;
    }
    const std::size_t i = pick(in);
    const Block old = live_[i];
    const std::size_t size = pick_size(in);
    void* q = fastalloc32_realloc(mm_, old.p, size);
    if (size == 0) {  // C semantics: frees, returns NULL
      FUZZ_EXPECT(q == nullptr);
      forget(i);
      remember_stale(old.p);
      return;
    }
    if (q == nullptr) {  // the old block is untouched and still live
      const fastalloc32_status s = fastalloc32_last_status(mm_);
      FUZZ_EXPECT(s == FASTALLOC32_E_NOMEM || s == FASTALLOC32_E_OVERFLOW);
      failed_++;
      verify_contents(old, old.size);
      return;
    }
    Block moved{static_cast<unsigned char*>(q), size, old.fill, size};
    FUZZ_EXPECT(holds_fill(moved.p, old.size, old.fill, old.size < size ? old.size : size));
    FUZZ_EXPECT(reinterpret_cast<std::uintptr_t>(q) % alignment_ == 0);
    FUZZ_EXPECT(fastalloc32_usable_size(mm_, q) >= size);
    FUZZ_EXPECT(fastalloc32_usable_size(mm_, q) >= 1);
    // Beyond what this block's caller wrote (kept in place, or copied from
    // the old block, whose unwritten bytes read zero too): nothing.
    const std::size_t mine = q == old.p ? old.written : (old.written < size ? old.written : size);
    if (clean_) {
      if (mine < size) FUZZ_EXPECT(all_bytes_are(moved.p + mine, size - mine, 0));
    }
    if (q == old.p && old.written > size) moved.written = old.written;
    forget(i);
    if (q != old.p) remember_stale(old.p);
    FUZZ_EXPECT(starts_.find(moved.p) == starts_.end());
    moved.fill = next_fill();
    fill_block(moved);
    starts_[moved.p] = live_.size();
    live_.push_back(moved);
    requested_ += size;
  }

  // A free or realloc the manager must count, report and ignore.
  void bad_call(Bytes& in, std::uint8_t op) {
    unsigned char* p = nullptr;
    switch (in.u8() % 4) {
      case 0:  // a pointer freed earlier
        if (stale_.empty()) return;
        p = stale_[in.u8() % stale_.size()];
        break;
      case 1:  // inside a live block
        if (live_.empty()) return;
        {
          const Block& b = live_[pick(in)];
          const std::size_t usable = fastalloc32_usable_size(mm_, b.p);
          if (usable < 2) return;
          p = b.p + 1 + in.u32() % (usable - 1);
        }
        break;
      case 2:  // near a live block, either side (may land anywhere)
        if (live_.empty()) return;
        {
          const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(live_[pick(in)].p);
          p = reinterpret_cast<unsigned char*>(at + (static_cast<std::int32_t>(in.u32()) >> (in.u8() % 24)));
        }
        break;
      default:  // not the manager's at all
        p = foreign_ + in.u8() % sizeof(foreign_);
        break;
    }
    if (starts_.find(p) != starts_.end()) return;  // a live block after all: not a bad call
    const std::uint64_t errors_before = errors_->calls;
    const std::uint64_t bad_before = bad_frees();
    const std::size_t live_before = live_.size();
    if ((op & 0x80) != 0) {
      FUZZ_EXPECT(fastalloc32_realloc(mm_, p, 1 + in.u8()) == nullptr);
    } else {
      fastalloc32_free(mm_, p);
    }
    FUZZ_EXPECT(bad_frees() == bad_before + 1);
    FUZZ_EXPECT(errors_->calls == errors_before + 1);
    const fastalloc32_status s = errors_->last;
    FUZZ_EXPECT(s == FASTALLOC32_E_INVALID_FREE || s == FASTALLOC32_E_DOUBLE_FREE ||
                s == FASTALLOC32_E_INTERIOR_POINTER);
    FUZZ_EXPECT(fastalloc32_last_status(mm_) == s);
    FUZZ_EXPECT(live_.size() == live_before);
  }

  std::uint64_t bad_frees() const {
    fastalloc32_stats s;
    s.size = sizeof s;
    FUZZ_EXPECT(fastalloc32_get_stats(mm_, &s) == FASTALLOC32_OK);
    return s.invalid_frees + s.double_frees + s.interior_frees;
  }

  void verify_stats() const {
    fastalloc32_stats s;
    s.size = sizeof s;
    FUZZ_EXPECT(fastalloc32_get_stats(mm_, &s) == FASTALLOC32_OK);
    FUZZ_EXPECT(s.live_allocs.current == live_.size());
    FUZZ_EXPECT(s.bytes_requested.current == requested_);
    FUZZ_EXPECT(s.bytes_reserved.current >= requested_);
    FUZZ_EXPECT(s.failed_allocs == failed_);
    if (s.peaks_tracked != 0) {
      FUZZ_EXPECT(s.live_allocs.peak >= s.live_allocs.current);
      FUZZ_EXPECT(s.bytes_requested.peak >= s.bytes_requested.current);
    }
  }

  static void verify_contents(const Block& b, std::size_t n) {
    FUZZ_EXPECT(holds_fill(b.p, b.size, b.fill, n));
  }

  void remember_stale(unsigned char* p) {
    if (stale_.size() < 64) {
      stale_.push_back(p);
    } else {
      stale_[stale_next_++ % stale_.size()] = p;
    }
  }

  unsigned char next_fill() { return static_cast<unsigned char>(1 + fills_++ % 255); }

  fastalloc32_mm* mm_;
  std::size_t alignment_;
  Errors* errors_;
  bool clean_;
  std::vector<Block> live_;
  std::map<const unsigned char*, std::size_t> starts_;  // block start -> index in live_
  std::vector<unsigned char*> stale_;
  std::size_t stale_next_ = 0;
  std::uint64_t requested_ = 0;
  std::uint64_t failed_ = 0;
  unsigned fills_ = 0;
  unsigned char foreign_[64] = {};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  System sys;
  Errors errors;
  const fastalloc32_config config = make_config(in, &sys, &errors);
  fastalloc32_status status = FASTALLOC32_OK;
  fastalloc32_mm* mm = fastalloc32_create_with(&config, &status);
  if (mm == nullptr) {
    FUZZ_EXPECT(status == FASTALLOC32_E_BAD_CONFIG || status == FASTALLOC32_E_NOMEM);
    FUZZ_EXPECT(sys.mallocs_out == 0 && sys.maps_out == 0);
    return 0;
  }
  {
    Harness h(mm, config.alignment, &errors, sys.secure);
    for (int ops = 0; ops < 4000 && !in.empty(); ++ops) h.step(in);
    h.verify_live_list();
    FUZZ_EXPECT(fastalloc32_check(mm) == FASTALLOC32_OK);
    // Half the time destroy with blocks still live: destroy releases them.
    if ((size & 1) != 0) {
      h.release_all();
      FUZZ_EXPECT(fastalloc32_check(mm) == FASTALLOC32_OK);
    }
  }
  fastalloc32_destroy(mm);
  FUZZ_EXPECT(sys.mallocs_out == 0 && sys.maps_out == 0 && sys.mapped_bytes == 0);
  FUZZ_EXPECT(sys.blocks.empty());
  return 0;
}
