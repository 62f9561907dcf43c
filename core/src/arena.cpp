// SPDX-License-Identifier: GPL-3.0-or-later
// The large arena (see arena.hpp): page spans with boundary tags, free spans
// in size bins found through a bitmap, coalescing on free, the unused end of
// the arena given back to the kernel beyond large_cache_bytes, and free
// pages that stayed free given back before the footprint sets a new peak
// (a bitmap marks them, so the footprint stays exact).
#include "arena.hpp"

#include <cstring>

#include "manager.hpp"

namespace fa32::core {

namespace {

// The bin width keeps a bin's spans within a quarter of each other, as the
// large cache's buckets do; a page count must not exceed kMaxArenaPages.
constexpr uint32_t kMaxArenaPages = (uint32_t(1) << 26) - 1;

uint32_t bin_of(uint32_t pages) noexcept {
  if (pages < kArenaExactBins) return pages;
  const unsigned e = log2_floor(pages);
  const uint32_t sub = (pages - (uint32_t(1) << e)) >> (e - 2);
  return kArenaExactBins + (e - 5) * 4 + sub;
}
static_assert(kArenaExactBins == 32, "bin_of's log bins start at 2^5 pages");

uint32_t first_nonempty(const Arena& a, uint32_t from) noexcept {
  for (uint32_t w = from / 64; w < kArenaBins / 64; ++w) {
    uint64_t bits = a.nonempty[w];
    if (w == from / 64) bits &= ~uint64_t(0) << (from % 64);
    if (bits != 0) return w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
  }
  return kArenaBins;
}

void set_span(Arena& a, uint32_t start, uint32_t pages, SpanState state) noexcept {
  a.tags[start].pages = pages;
  a.tags[start].state = state;
  a.tags[start + pages - 1].pages = pages;
  a.tags[start + pages - 1].state = state;
}

void link_free(Arena& a, uint32_t start, uint32_t pages) noexcept {
  set_span(a, start, pages, SpanState::free);
  const uint32_t b = bin_of(pages);
  SpanTag& t = a.tags[start];
  t.prev = kNoSpan;
  t.next = a.heads[b];
  if (t.next != kNoSpan) a.tags[t.next].prev = start;
  a.heads[b] = start;
  a.nonempty[b / 64] |= uint64_t(1) << (b % 64);
  a.free_pages += pages;
}

void unlink_free(Arena& a, uint32_t start) noexcept {
  SpanTag& t = a.tags[start];
  const uint32_t b = bin_of(t.pages);
  if (t.prev != kNoSpan) {
    a.tags[t.prev].next = t.next;
  } else {
    a.heads[b] = t.next;
    if (t.next == kNoSpan) a.nonempty[b / 64] &= ~(uint64_t(1) << (b % 64));
  }
  if (t.next != kNoSpan) a.tags[t.next].prev = t.prev;
  a.free_pages -= t.pages;
  t.state = SpanState::none;
}

// Released bits in [from, to), and setting or clearing them (returning how
// many changed). Ranges are a span or the arena's end: a few words.
template <typename Op>
uint64_t for_released_words(uint64_t* words, uint32_t from, uint32_t to, Op op) noexcept {
  uint64_t n = 0;
  while (from < to) {
    const uint32_t bit = from % 64;
    const uint32_t len = 64 - bit < to - from ? 64 - bit : to - from;
    const uint64_t mask = (len == 64 ? ~uint64_t(0) : (uint64_t(1) << len) - 1) << bit;
    n += op(words[from / 64], mask);
    from += len;
  }
  return n;
}

uint64_t released_in(const Arena& a, uint32_t from, uint32_t to) noexcept {
  return for_released_words(a.released, from, to, [](uint64_t w, uint64_t mask) {
    return uint64_t(__builtin_popcountll(w & mask));
  });
}

uint64_t mark_released(Arena& a, uint32_t from, uint32_t to) noexcept {
  const uint64_t n = for_released_words(a.released, from, to, [](uint64_t& w, uint64_t mask) {
    const uint64_t changed = uint64_t(__builtin_popcountll(~w & mask));
    w |= mask;
    return changed;
  });
  a.released_pages += n;
  return n;
}

uint64_t clear_released(Arena& a, uint32_t from, uint32_t to) noexcept {
  const uint64_t n = for_released_words(a.released, from, to, [](uint64_t& w, uint64_t mask) {
    const uint64_t changed = uint64_t(__builtin_popcountll(w & mask));
    w &= ~mask;
    return changed;
  });
  a.released_pages -= n;
  return n;
}

// Pages [start, end) (below top, in no free list) are handed out now: those
// that held no memory (released, or at or above committed) are counted, and
// returned so the caller can grow the footprint by them.
uint64_t claim(Arena& a, uint32_t start, uint32_t end) noexcept {
  const uint32_t held_end = end < a.committed ? end : a.committed;
  uint64_t fresh = 0;
  if (start < held_end) {
    const uint64_t retaken = clear_released(a, start, held_end);
    a.retaken_pages += retaken;
    fresh += retaken;
  }
  if (end > a.committed) {
    const uint32_t from = start > a.committed ? start : a.committed;
    fresh += end - from;
    if (from < a.end_trimmed_to)
      a.end_retaken_pages += (end < a.end_trimmed_to ? end : a.end_trimmed_to) - from;
    a.committed = end;
  }
  if (a.top > a.epoch_top) a.epoch_top = a.top;
  return fresh;
}

// How far the footprint peak must rise between two trims of one kind: a
// 1/kTrimShare share of the footprint, at least kTrimBytes.
uint64_t trim_step(const Manager& m) noexcept {
  const uint64_t share = m.gauges.footprint.current() / kTrimShare;
  return share > kTrimBytes ? share : kTrimBytes;
}

// Whether the footprint peak has risen by a trim step since a trim of one
// kind ran at `last_peak`: each kind runs at most once per such rise.
bool peak_rose_since(const Manager& m, uint64_t last_peak) noexcept {
  return m.gauges.footprint.peak >= last_peak + trim_step(m);
}

// With config.trim_pools, the pools' free tops (trim_pool_tops) before a
// growth that sets a new footprint peak; once per rise of the peak, as the
// arena's: each trim walks every class, and blocks given back fault in
// again when their class grows back. Default mmap only: a map hook's
// memory is not the library's to advise.
void trim_pools_before_peak(Manager& m) noexcept {
  if (!m.trim_pools || !m.default_map || !peak_rose_since(m, m.pool_trim_peak)) return;
  m.pool_trim_peak = m.gauges.footprint.peak;
  trim_pool_tops(m);
}

// The arena's own new pages give the pools' free tops back first like any
// other growth that sets a new peak: otherwise a large block taken after
// the pools reached their high-water marks set the peak with every free
// pool page still held. sqlite-shop replayed twice on one manager with
// trim_pools peaked at 12.80 MiB without it, 11.81 with it (one run:
// 11.74): its second run grows a block to 2 MB by realloc. Not the large
// cache's or the arena's trims: those run once per rise of the peak too,
// and small arena growths would use that turn up before anything in the
// cache or the arena has aged (on the recorded traces they gave back
// nothing more there).
void add_arena_pages(Manager& m, uint64_t pages) noexcept {
  const uint64_t bytes = pages * m.page_size;
  if (bytes > m.gauges.footprint.headroom) trim_pools_before_peak(m);
  footprint_grow(m.gauges, FootprintPart::large_arena, bytes);
}

// Free pages that still hold memory.
uint64_t reclaimable_pages(const Arena& a) noexcept {
  return a.free_pages + (a.committed - a.top) - a.released_pages;
}

// Gives [from, committed) (from >= top) back to the kernel.
void decommit_end(Manager& m, uint32_t from) noexcept {
  Arena& a = m.arena;
  const size_t bytes = size_t(a.committed - from) * m.page_size;
  if (!sys_decommit(m, a.base + size_t(from) * m.page_size, bytes)) return;
  const uint64_t were_released = clear_released(a, from, a.committed);
  footprint_shrink(m.gauges, FootprintPart::large_arena, bytes - were_released * m.page_size);
  a.committed = from;
}

// When a free span was freed (or merged), on its last page's tag (whose
// list fields only a one-page span uses: those are never trimmed).
void stamp_freed(Arena& a, uint32_t start, uint32_t pages) noexcept {
  if (pages >= 2) a.tags[start + pages - 1].prev = a.clock;
}

bool is_cold(const Arena& a, uint32_t start, uint32_t pages) noexcept {
  return pages >= 2 && a.clock - a.tags[start + pages - 1].prev >= a.cold_ticks;
}

// Before a trim: when the program took half or more of what the last trim
// gave back again, the pages were not cold enough, so the threshold
// doubles (see kMaxColdTicks). A trim that gave back less than kTrimBytes
// teaches nothing: perl-words' one such trim, 41 pages of which it took 40
// again, would have doubled the threshold and raised its footprint peak
// by 1 MiB.
void learn_from_last_trim(const Manager& m, Arena& a) noexcept {
  const bool telling = a.trimmed_pages * m.page_size >= kTrimBytes;
  if (telling && a.retaken_pages * 2 >= a.trimmed_pages && a.cold_ticks < kMaxColdTicks) a.cold_ticks *= 2;
  a.trimmed_pages = 0;
  a.retaken_pages = 0;
  // The end's age, from kEndColdTicks (at once) to kColdTicks at the second
  // telling trim running whose pages came back, and on from there.
  if (a.end_trimmed_pages * m.page_size >= kTrimBytes) {
    const bool retaken = a.end_retaken_pages * 2 >= a.end_trimmed_pages;
    if (!retaken) {
      a.end_doubted = false;
    } else if (a.end_cold_ticks == kEndColdTicks && !a.end_doubted) {
      a.end_doubted = true;
    } else if (a.end_cold_ticks < kMaxColdTicks) {
      a.end_cold_ticks = a.end_cold_ticks < kColdTicks ? kColdTicks : a.end_cold_ticks * 2;
    }
  }
  a.end_trimmed_pages = 0;
  a.end_retaken_pages = 0;
}

// The unused end goes back once it has stayed free end_cold_ticks (see
// kEndColdTicks), its pages counted as the trims' for the end's learning.
void trim_end(Manager& m, Arena& a) noexcept {
  if (a.committed == a.top || a.clock - a.end_freed < a.end_cold_ticks) return;
  const uint32_t end = a.committed;
  const uint64_t held = uint64_t(end - a.top) - released_in(a, a.top, end);
  decommit_end(m, a.top);
  if (a.committed == end) return;  // refused (locked pages): nothing changed
  a.end_trimmed_pages += held;
  if (end > a.end_trimmed_to) a.end_trimmed_to = end;
}

// Every free page that holds memory and has stayed free for cold_ticks goes
// back to the kernel, the free spans', and the unused end once it has
// stayed free end_cold_ticks. Returns the bytes given back.
uint64_t trim(Manager& m) noexcept {
  const uint64_t before = m.gauges.footprint.current();
  Arena& a = m.arena;
  for (uint32_t b = 0; b < kArenaBins; ++b) {
    for (uint32_t s = a.heads[b]; s != kNoSpan; s = a.tags[s].next) {
      const uint32_t pages = a.tags[s].pages;
      if (!is_cold(a, s, pages) || released_in(a, s, s + pages) == pages) continue;
      if (!sys_decommit(m, a.base + size_t(s) * m.page_size, size_t(pages) * m.page_size)) continue;
      const uint64_t released = mark_released(a, s, s + pages);
      a.trimmed_pages += released;
      footprint_shrink(m.gauges, FootprintPart::large_arena, released * m.page_size);
    }
  }
  trim_end(m, a);
  return before - m.gauges.footprint.current();
}

// Pages up to `end` (<= page_count) are about to be handed out: makes them
// read-write first, up to the next kCommitBytes step when the system
// allows it. false (nothing changed) when the kernel refuses to charge
// them: the caller must not hand them out.
bool make_accessible(Manager& m, uint32_t end) noexcept {
  Arena& a = m.arena;
  if (end <= a.accessible) return true;
  const size_t step = kCommitBytes > m.page_size ? kCommitBytes / m.page_size : 1;
  size_t ahead = (size_t(end) + step - 1) / step * step;
  if (ahead > a.page_count) ahead = a.page_count;
  char* from = a.base + size_t(a.accessible) * m.page_size;
  if (!sys_commit(m, from, (ahead - a.accessible) * m.page_size)) {
    // Near the system's limit: only what this request needs.
    ahead = end;
    if (!sys_commit(m, from, (ahead - a.accessible) * m.page_size)) return false;
  }
  a.accessible = static_cast<uint32_t>(ahead);
  return true;
}

// Every kDecommitEpoch arena frees, committed pages that stayed above the
// arena's top for the whole epoch, beyond large_cache_bytes more, go back to
// the kernel (at least kDecommitPages of them). A working set that rises
// and falls keeps its pages; one that has shrunk gives them back. Giving
// back whatever the top leaves at once would cost a system call and page
// faults every time a large block at the end comes and goes. Only with the
// default mmap: a map hook's memory is not ours to advise.
constexpr uint32_t kDecommitEpoch = 128;
constexpr uint32_t kDecommitPages = 64;

void end_epoch(Manager& m) noexcept {
  Arena& a = m.arena;
  const uint64_t keep = m.config.large_cache_bytes / m.page_size;
  const uint64_t used = a.epoch_top;
  a.epoch_frees = 0;
  a.epoch_top = a.top;
  if (!m.default_map || a.committed < used + keep + kDecommitPages) return;
  decommit_end(m, static_cast<uint32_t>(used + keep));
}

// Frees [start, start + pages), a span no list holds: merges it with free
// neighbours, or into the unused end.
void release_span(Manager& m, uint32_t start, uint32_t pages) noexcept {
  Arena& a = m.arena;
  const uint32_t next = start + pages;
  if (next < a.top && a.tags[next].state == SpanState::free) {
    pages += a.tags[next].pages;
    unlink_free(a, next);
  }
  if (start > 0 && a.tags[start - 1].state == SpanState::free) {
    const uint32_t before = a.tags[start - 1].pages;
    start -= before;
    pages += before;
    unlink_free(a, start);
  }
  if (start + pages == a.top) {
    a.tags[start].state = SpanState::none;
    a.top = start;
    a.end_freed = a.clock;
  } else {
    link_free(a, start, pages);
    stamp_freed(a, start, pages);
  }
  if (++a.epoch_frees == kDecommitEpoch) end_epoch(m);
}

bool reserve(Manager& m) noexcept {
  Arena& a = m.arena;
  const size_t page = m.page_size;
  size_t pages = m.config.large_arena_size / page;
  if (pages > kMaxArenaPages) pages = kMaxArenaPages;
  if (pages * page < kArenaMinBytes) return false;
  size_t tag_bytes = 0, bitmap_bytes = 0;
  if (!align_up(pages * sizeof(SpanTag), page, &tag_bytes)) return false;
  if (!align_up((pages + 63) / 64 * sizeof(uint64_t), page, &bitmap_bytes)) return false;
  const size_t meta_bytes = tag_bytes + bitmap_bytes;
  const size_t size = meta_bytes + pages * page;
  char* region = nullptr;
  if (m.default_map) {
    // Address space only; the tags are written as spans come and go, and
    // the spans' pages become usable as the arena's end reaches them
    // (make_accessible).
    region = static_cast<char*>(sys_reserve(m, size));
    if (region == nullptr) return false;
    if (!sys_commit(m, region, meta_bytes)) {
      sys_unmap(m, region, size);
      return false;
    }
    a.accessible = 0;
  } else {
    region = static_cast<char*>(sys_map(m, size));
    if (region == nullptr) return false;
    std::memset(region + tag_bytes, 0, bitmap_bytes);  // the hook's memory need not read zero
    a.accessible = static_cast<uint32_t>(pages);
  }
  a.region = region;
  a.region_size = size;
  a.tags = reinterpret_cast<SpanTag*>(region);
  a.released = reinterpret_cast<uint64_t*>(region + tag_bytes);
  a.base = region + meta_bytes;
  a.page_count = static_cast<uint32_t>(pages);
  std::memset(a.heads, 0xff, sizeof(a.heads));  // kNoSpan: page 0 is a span like any other
  return true;
}

// Pages for `bytes`, or kNoSpan when more than the arena could ever hold
// (also the case where the count would not fit 32 bits).
uint32_t pages_for(const Manager& m, size_t bytes) noexcept {
  const size_t pages = bytes / m.page_size + (bytes % m.page_size != 0);
  return pages > m.arena.page_count ? kNoSpan : static_cast<uint32_t>(pages);
}

uint32_t page_of(const Manager& m, const char* p) noexcept {
  return static_cast<uint32_t>(size_t(p - m.arena.base) / m.page_size);
}

// Pages [start, start + pages) just handed out, `fresh` of them holding no
// memory yet (claim): two or more are made present in one call rather than
// a page fault each (see populate_runs; pages already present are passed
// over). The footprint counts them already (add_arena_pages). On the Lua
// host's gc_churn, whose big arrays come and go through the arena, 0.92x
// the CPU time (system time 0.02-0.06 s against 0.08-0.15), the other
// large-block scripts 0.97-0.98x, peak resident sets the same within
// 0.1 MB (docs/performance.md, "Pool pages in runs").
void populate_new_pages(Manager& m, uint32_t start, uint32_t pages, uint64_t fresh) noexcept {
  if (fresh < 2 || !m.populate_runs) return;
  sys_populate_run(m, &m.counters.arena_page_runs, m.arena.base + size_t(start) * m.page_size,
                   size_t(pages) * m.page_size);
}

// A free span of at least `pages`, unlinked, or kNoSpan: a bounded first
// fit in the request's own bin, then the head of the first larger bin
// (every span there is big enough). Released pages are not avoided:
// preferring spans that still held memory saved no page fault on the
// recorded traces (the pages given back were ones the program needed
// again) and cost a walk of up to 8 spans per bin on every arena malloc.
uint32_t take_free(Arena& a, uint32_t pages) noexcept {
  const uint32_t b = bin_of(pages);
  uint32_t s = a.heads[b];
  for (int tries = 0; s != kNoSpan && tries < 8; ++tries, s = a.tags[s].next) {
    if (a.tags[s].pages >= pages) break;
  }
  if (s == kNoSpan || a.tags[s].pages < pages) {
    const uint32_t nb = first_nonempty(a, b + 1);
    if (nb == kArenaBins) return kNoSpan;
    s = a.heads[nb];
  }
  unlink_free(a, s);
  return s;
}

}  // namespace

bool arena_alloc(Manager& m, size_t bytes, ArenaBlock* out) noexcept {
  Arena& a = m.arena;
  if (FA32_UNLIKELY(a.base == nullptr)) {
    if (a.unavailable) return false;
    if (!reserve(m)) {
      a.unavailable = true;
      return false;
    }
  }
  const uint32_t pages = pages_for(m, bytes);
  if (pages == kNoSpan) return false;
  ++a.clock;
  uint32_t start = take_free(a, pages);
  if (start != kNoSpan) {
    const uint32_t have = a.tags[start].pages;
    if (have > pages) link_free(a, start + pages, have - pages);
  } else {
    if (pages > a.page_count - a.top) return false;
    if (!make_accessible(m, a.top + pages)) return false;
    start = a.top;
    a.top += pages;
  }
  const uint64_t fresh = claim(a, start, start + pages);
  // Released pages and pages past committed read zero.
  const bool zero = fresh == pages;
  set_span(a, start, pages, SpanState::live);
  add_arena_pages(m, fresh);
  populate_new_pages(m, start, pages, fresh);
  *out = ArenaBlock{a.base + size_t(start) * m.page_size, size_t(pages) * m.page_size, zero};
  return true;
}

void arena_free(Manager& m, char* ptr) noexcept {
  Arena& a = m.arena;
  const uint32_t start = page_of(m, ptr);
  if (a.tags[start].state != SpanState::live) return;  // the table vouched for it: never happens
  release_span(m, start, a.tags[start].pages);
}

size_t arena_resize(Manager& m, char* ptr, size_t bytes) noexcept {
  Arena& a = m.arena;
  const uint32_t start = page_of(m, ptr);
  const uint32_t have = a.tags[start].pages;
  uint32_t want = pages_for(m, bytes);
  if (want == kNoSpan) return 0;
  if (want == 0) want = 1;
  if (want < have) {
    // The tail goes back to the free spans: with secure_zero it is wiped
    // like any block the caller frees (free wipes only what the block still
    // holds).
    if (m.secure_zero) explicit_bzero(ptr + size_t(want) * m.page_size, size_t(have - want) * m.page_size);
    set_span(a, start, want, SpanState::live);
    set_span(a, start + want, have - want, SpanState::live);
    release_span(m, start + want, have - want);
  } else if (want > have) {
    const uint32_t next = start + have;
    const uint32_t extra = want - have;
    if (next == a.top) {
      if (extra > a.page_count - a.top) return 0;
      if (!make_accessible(m, a.top + extra)) return 0;
      a.top += extra;
    } else if (a.tags[next].state == SpanState::free && a.tags[next].pages >= extra) {
      const uint32_t spare = a.tags[next].pages - extra;
      unlink_free(a, next);
      if (spare > 0) link_free(a, start + want, spare);
    } else {
      return 0;
    }
    const uint64_t fresh = claim(a, next, next + extra);
    set_span(a, start, want, SpanState::live);
    add_arena_pages(m, fresh);
    populate_new_pages(m, next, extra, fresh);
  }
  return size_t(want) * m.page_size;
}

namespace {

// Whether to trim before the footprint grows by `bytes`, and the trims:
// with config.trim_pools (and `pools`) the pools' free tops first, then the
// large cache's cold blocks, then the arena's idle pages, each only if the
// growth still sets a new peak. Default mmap only: a map hook's memory is
// not the library's to advise.
void trim_before_growth(Manager& m, uint64_t bytes, bool pools, uint32_t ticks = 1) noexcept {
  Arena& a = m.arena;
  a.clock += ticks;
  if (bytes <= m.gauges.footprint.headroom) return;  // not a new peak
  if (!m.default_map) return;
  if (pools) {
    trim_pools_before_peak(m);
    if (bytes <= m.gauges.footprint.headroom) return;
  }
  LargeCache& lc = m.large_cache;
  if (lc.blocks != 0 && peak_rose_since(m, lc.trim_peak)) {
    lc.trim_peak = m.gauges.footprint.peak;
    if (cache_trim_cold(m) != 0 && bytes <= m.gauges.footprint.headroom) return;
  }
  if (a.base == nullptr) return;
  // Once per such rise of the peak: a program at its peak whose large
  // blocks come and go would otherwise give the arena's free pages back and
  // fault them in again on every large malloc.
  if (!peak_rose_since(m, a.trim_peak)) return;
  // A walk of the free spans that found them all too young is not retried
  // before they can have aged.
  if (static_cast<int32_t>(a.clock - a.next_trim_tick) < 0) return;
  if (reclaimable_pages(a) * m.page_size < trim_step(m)) return;
  learn_from_last_trim(m, a);
  a.next_trim_tick = a.clock + a.cold_ticks;
  if (trim(m) != 0) a.trim_peak = m.gauges.footprint.peak;
}

}  // namespace

void grow_footprint(Manager& m, FootprintPart part, uint64_t bytes, uint32_t ticks) noexcept {
  trim_before_growth(m, bytes, true, ticks);
  footprint_grow(m.gauges, part, bytes);
}

void grow_footprint_keeping_pools(Manager& m, uint64_t bytes) noexcept {
  trim_before_growth(m, bytes, false);
  footprint_grow(m.gauges, FootprintPart::metadata, bytes);
}

bool arena_owns(const Manager& m, const void* p) noexcept {
  const Arena& a = m.arena;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  const auto base = reinterpret_cast<uintptr_t>(a.base);
  return a.base != nullptr && addr >= base && addr - base < size_t(a.top) * m.page_size;
}

void arena_release(Manager& m) noexcept {
  Arena& a = m.arena;
  if (a.region != nullptr) sys_unmap(m, a.region, a.region_size);
  a = Arena{};
}

bool arena_check(const Manager& m, uint64_t* live_pages) noexcept {
  const Arena& a = m.arena;
  *live_pages = 0;
  // The learnt ages: kColdTicks doubled some times, kMaxColdTicks at most;
  // the end's may also still be kEndColdTicks.
  const auto learnt = [](uint32_t t) { return t >= kColdTicks && t <= kMaxColdTicks && (t & (t - 1)) == 0; };
  if (!learnt(a.cold_ticks) || (a.end_cold_ticks != kEndColdTicks && !learnt(a.end_cold_ticks))) return false;
  if (a.base == nullptr) return a.top == 0 && a.committed == 0 && a.free_pages == 0;
  if (a.top > a.committed || a.committed > a.accessible || a.accessible > a.page_count) return false;
  if (a.end_trimmed_to > a.page_count) return false;
  uint64_t free_pages = 0, free_spans = 0, released = 0;
  bool last_free = false;
  for (uint32_t p = 0; p < a.top;) {
    const SpanTag& t = a.tags[p];
    if (t.pages == 0 || t.pages > a.top - p) return false;
    const SpanTag& end = a.tags[p + t.pages - 1];
    if (end.pages != t.pages || end.state != t.state) return false;
    if (t.state == SpanState::live) {
      if (released_in(a, p, p + t.pages) != 0) return false;  // live pages hold memory
      *live_pages += t.pages;
      last_free = false;
    } else if (t.state == SpanState::free) {
      released += released_in(a, p, p + t.pages);
      if (last_free) return false;  // two free neighbours: a missed merge
      if (bin_of(t.pages) >= kArenaBins) return false;
      free_pages += t.pages;
      ++free_spans;
      last_free = true;
    } else {
      return false;
    }
    p += t.pages;
  }
  if (last_free || free_pages != a.free_pages) return false;
  // Released pages: in free spans, or between top and committed; none past
  // committed (those read zero and hold nothing already).
  released += released_in(a, a.top, a.committed);
  if (released != a.released_pages || released_in(a, a.committed, a.page_count) != 0) return false;
  // Every free span is on the list of its bin, and nothing else is.
  uint64_t listed = 0;
  for (uint32_t b = 0; b < kArenaBins; ++b) {
    const bool marked = (a.nonempty[b / 64] >> (b % 64)) & 1;
    if (marked != (a.heads[b] != kNoSpan)) return false;
    uint32_t prev = kNoSpan;
    for (uint32_t s = a.heads[b]; s != kNoSpan; s = a.tags[s].next) {
      if (s >= a.top || ++listed > free_spans) return false;
      const SpanTag& t = a.tags[s];
      if (t.state != SpanState::free || bin_of(t.pages) != b || t.prev != prev) return false;
      prev = s;
    }
  }
  return listed == free_spans;
}

}  // namespace fa32::core
