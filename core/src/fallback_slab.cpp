// SPDX-License-Identifier: GPL-3.0-or-later
// Fallback slabs (see fallback_slab.hpp): made, found, handed out, released.
#include <cstring>

#include "manager.hpp"

namespace fa32::core {

namespace {

// 4 KiB (or 16 blocks) for a kind's first slab, four times as much for
// each next one up to 1 MiB (or 16 blocks): a class that overflows a little
// wastes little, one that overflows a lot needs few slabs, so the search
// stays short (100,000 live 8-128 B blocks of the original's layout take
// 41 slabs in 8 sizes; doubling took 64).
constexpr size_t kFirstSlabBytes = size_t(4) << 10;
constexpr size_t kMaxSlabBytes = size_t(1) << 20;

// The most blocks a slab holds: a 1 MiB slab of the smallest blocks.
constexpr uint32_t kMaxSlabBlocks = static_cast<uint32_t>(kMaxSlabBytes / kGranule);

size_t record_bytes(uint32_t capacity) noexcept {
  return offsetof(FallbackSlab, state) + 2 * sizeof(uint32_t) * capacity;  // entries and free stack
}

// The highest power of two dividing n.
size_t low_bit(size_t n) noexcept {
  return n & (~n + 1);
}

// Gives a slab's record or the registry back to the system malloc. With
// secure_zero wiped first: they hold the blocks' addresses and sizes.
void free_meta(Manager& m, void* p, size_t bytes) noexcept {
  if (m.secure_zero) explicit_bzero(p, bytes);
  sys_free(m, p);
}

// The registry keeps room for one more slab; false if none could be had.
constexpr size_t kRegistryEntry = sizeof(FallbackSlab*) + sizeof(uintptr_t);

bool reserve_slot(Manager& m) noexcept {
  SlabSet& s = m.slabs;
  if (s.count < s.capacity) return true;
  const uint32_t cap = s.capacity == 0 ? 16 : s.capacity * 2;
  auto** grown = static_cast<FallbackSlab**>(sys_malloc(m, kRegistryEntry * cap));
  if (grown == nullptr) return false;
  auto* grown_ends = reinterpret_cast<uintptr_t*>(grown + cap);
  if (s.count != 0) {
    std::memcpy(grown, s.sorted, sizeof(FallbackSlab*) * s.count);
    std::memcpy(grown_ends, s.ends, sizeof(uintptr_t) * s.count);
  }
  if (s.sorted != nullptr) {
    free_meta(m, s.sorted, kRegistryEntry * s.capacity);
    footprint_shrink(m.gauges, FootprintPart::fallback, kRegistryEntry * s.capacity);
  }
  grow_footprint(m, FootprintPart::fallback, kRegistryEntry * cap);
  s.sorted = grown;
  s.ends = grown_ends;
  s.capacity = cap;
  return true;
}

// The block size of a slab kind (see kFitKinds).
size_t kind_block_size(const Manager& m, uint32_t kind) noexcept {
  return kind < kFitKinds ? fit_size(kind) : m.classes[kind - kFitKinds].block_size;
}

// The slab kind for a request of `size` bytes of class c, aligned to
// `align` (a power of two, at most a page): the smallest grid size that
// holds it and is a multiple of align, if below the class's block size.
// (A multiple of a power of two at least a grid step is a grid size.)
uint32_t kind_for(const Manager& m, uint32_t c, size_t size, size_t align) noexcept {
  const size_t block = m.classes[c].block_size;
  if (size < block && size <= kFitMax) {
    const size_t fit = (fit_size(fit_index(size == 0 ? 1 : size)) + align - 1) & ~(align - 1);
    if (fit < block && fit <= kFitMax) return fit_index(fit);
  }
  return kFitKinds + c;
}

FallbackSlab* make_slab(Manager& m, uint32_t kind) noexcept {
  const size_t block = kind_block_size(m, kind);
  size_t bytes = kFirstSlabBytes > 16 * block ? kFirstSlabBytes : 16 * block;
  const size_t most = kMaxSlabBytes > 16 * block ? kMaxSlabBytes : 16 * block;
  for (uint32_t n = 0; n < m.slabs.made[kind] && bytes < most; ++n) bytes *= 4;
  if (bytes > most) bytes = most;
  const auto capacity = static_cast<uint32_t>(bytes / block);
  // Blocks aligned as the pool's are: to the largest power of two dividing
  // the block size (aligned_alloc relies on it, and so does a config
  // alignment above a page: capped at a page, an alignment of 8 KiB gave
  // fallback blocks at 4 KiB past a multiple of it). At most 32 KiB, as
  // block sizes are at most 65520 bytes.
  const size_t align = low_bit(block);
  const size_t raw_size = size_t(capacity) * block + (align > kMallocAlign ? align - kMallocAlign : 0);
  if (!reserve_slot(m)) return nullptr;
  auto* s = static_cast<FallbackSlab*>(sys_malloc(m, record_bytes(capacity)));
  if (s == nullptr) return nullptr;
  char* raw = static_cast<char*>(sys_malloc(m, raw_size));
  if (raw == nullptr) {
    free_meta(m, s, record_bytes(capacity));
    return nullptr;
  }
  s->raw = raw;
  s->raw_size = raw_size;
  s->base = reinterpret_cast<char*>(align_up_ptr(reinterpret_cast<uintptr_t>(raw), align));
  s->recip = reciprocal(block);
  s->kind = kind;
  s->block_size = static_cast<uint32_t>(block);
  s->capacity = capacity;
  s->bump = 0;
  s->live = 0;
  s->free_count = 0;
  s->next_partial = nullptr;
  s->prev_partial = nullptr;
  s->partial = false;
  grow_footprint(m, FootprintPart::fallback, raw_size + record_bytes(capacity));
  SlabSet& set = m.slabs;
  const uint32_t at = first_end_above(set, reinterpret_cast<uintptr_t>(s->base));
  std::memmove(set.sorted + at + 1, set.sorted + at, sizeof(FallbackSlab*) * (set.count - at));
  std::memmove(set.ends + at + 1, set.ends + at, sizeof(uintptr_t) * (set.count - at));
  set.sorted[at] = s;
  set.ends[at] = reinterpret_cast<uintptr_t>(s->end());
  set.count++;
  set.made[kind]++;
  set.empty[kind]++;
  return s;
}

void push_partial(Manager& m, FallbackSlab* s) noexcept {
  FallbackSlab*& head = m.slabs.partial[s->kind];
  s->next_partial = head;
  s->prev_partial = nullptr;
  if (head != nullptr) head->prev_partial = s;
  head = s;
  s->partial = true;
}

void unlink_partial(Manager& m, FallbackSlab* s) noexcept {
  if (s->prev_partial != nullptr) {
    s->prev_partial->next_partial = s->next_partial;
  } else {
    m.slabs.partial[s->kind] = s->next_partial;
  }
  if (s->next_partial != nullptr) s->next_partial->prev_partial = s->prev_partial;
  s->partial = false;
}

// A slab's blocks and record back to the system malloc.
void give_back(Manager& m, FallbackSlab* s) noexcept {
  footprint_shrink(m.gauges, FootprintPart::fallback, s->raw_size + record_bytes(s->capacity));
  sys_free(m, s->raw);
  free_meta(m, s, record_bytes(s->capacity));
}

void destroy_slab(Manager& m, FallbackSlab* s) noexcept {
  SlabSet& set = m.slabs;
  const uint32_t at = first_end_above(set, reinterpret_cast<uintptr_t>(s->base));
  std::memmove(set.sorted + at, set.sorted + at + 1, sizeof(FallbackSlab*) * (set.count - at - 1));
  std::memmove(set.ends + at, set.ends + at + 1, sizeof(uintptr_t) * (set.count - at - 1));
  set.count--;
  give_back(m, s);
}

}  // namespace

uint64_t slab_release_empty(Manager& m) noexcept {
  uint64_t released = 0;
  for (uint32_t kind = 0; kind < kSlabKinds; ++kind) {
    if (m.slabs.empty[kind] == 0) continue;
    FallbackSlab* s = m.slabs.partial[kind];
    while (s != nullptr && s->live != 0) s = s->next_partial;
    if (s == nullptr) continue;  // never: an empty slab has room, so it is partial
    released += s->raw_size + record_bytes(s->capacity);
    m.slabs.empty[kind]--;
    unlink_partial(m, s);
    destroy_slab(m, s);
  }
  return released;
}

void* fallback_alloc(Manager& m, uint32_t c, size_t size, size_t align, bool zero) noexcept {
  const uint32_t kind = kind_for(m, c, size, align);
  FallbackSlab* s = m.slabs.partial[kind];
  if (s == nullptr) {
    s = make_slab(m, kind);
    // The system refused: what the manager keeps idle goes back, and the
    // slab is asked for once more. (No slab of this kind is empty: it
    // would be partial.)
    if (s == nullptr && give_back_idle(m) != 0) s = make_slab(m, kind);
    if (s == nullptr) {
      fail_alloc(m, FASTALLOC32_E_NOMEM);
      return nullptr;
    }
    push_partial(m, s);
  }
  uint32_t i;
  if (s->free_count != 0) {
    const uint32_t* stack = s->free_stack();
    i = stack[--s->free_count];
    // The next pop's block, as the pools' cache does (pool_cache_pop): a
    // freed block is cold by the time it is handed out again.
    if (s->free_count != 0) __builtin_prefetch(s->block(stack[s->free_count - 1]), 1);
  } else {
    i = s->bump++;
  }
  if (s->live++ == 0) m.slabs.empty[kind]--;
  s->state[i] = static_cast<uint32_t>(size);
  if (s->free_count == 0 && s->bump == s->capacity) unlink_partial(m, s);  // full
  m.classes[c].counters.fallback_allocs++;
  count_outside_block(m, size, s->block_size);
  m.gauges.fallback_bytes.add(s->block_size);
  char* p = s->block(i);
  if (zero) std::memset(p, 0, size);
  return p;
}

void slab_resize_in_place(Manager& m, FallbackSlab* s, uint32_t i, size_t size) noexcept {
  change_outside_requested(m, s->state[i], size);
  s->state[i] = static_cast<uint32_t>(size);
}

void slab_release(Manager& m, FallbackSlab* s, uint32_t i) noexcept {
  const uint32_t requested = s->state[i];
  m.counters.fallback_frees++;
  uncount_outside_block(m, requested, s->block_size);
  m.gauges.fallback_bytes.sub(s->block_size);
  if (m.secure_zero) explicit_bzero(s->block(i), s->block_size);
  s->state[i] = FallbackSlab::kSlabFree;
  s->free_stack()[s->free_count++] = i;
  if (m.slabs.partial[s->kind] != s) {
    if (s->partial) unlink_partial(m, s);
    push_partial(m, s);
  }
  if (--s->live != 0) return;
  // Empty: one slab per kind is kept for the next overflow, so a class at
  // the edge of its pool does not make and free a slab per call.
  if (m.slabs.empty[s->kind]++ == 0) return;
  m.slabs.empty[s->kind]--;
  unlink_partial(m, s);
  destroy_slab(m, s);
}

void slab_wipe_live(Manager& m) noexcept {
  for (uint32_t n = 0; n < m.slabs.count; ++n) {
    const FallbackSlab* s = m.slabs.sorted[n];
    for (uint32_t i = 0; i < s->bump; ++i) {
      if (s->is_live(i)) explicit_bzero(s->block(i), s->block_size);
    }
  }
}

void slab_release_all(Manager& m) noexcept {
  SlabSet& set = m.slabs;
  for (uint32_t n = 0; n < set.count; ++n) give_back(m, set.sorted[n]);
  if (set.sorted != nullptr) {
    free_meta(m, set.sorted, kRegistryEntry * set.capacity);
    footprint_shrink(m.gauges, FootprintPart::fallback, kRegistryEntry * set.capacity);
  }
  set = SlabSet{};
}

bool slab_check(const Manager& m, SlabTotals* out) noexcept {
  const SlabSet& set = m.slabs;
  SlabTotals t{};
  uint32_t partial_count = 0;
  uint32_t empty[kSlabKinds] = {};
  if (set.count > set.capacity) return false;
  if (set.sorted != nullptr) t.footprint += kRegistryEntry * set.capacity;
  for (uint32_t n = 0; n < set.count; ++n) {
    const FallbackSlab* s = set.sorted[n];
    // Sorted, apart, outside the pools, of a real kind, blocks inside raw.
    if (n > 0 && set.sorted[n - 1]->end() > s->base) return false;
    if (set.ends[n] != reinterpret_cast<uintptr_t>(s->end())) return false;
    if (in_pools(m, s->base) || s->kind >= kFitKinds + m.class_count) return false;
    if (s->block_size != kind_block_size(m, s->kind) || s->recip != reciprocal(s->block_size)) return false;
    if (s->bump > s->capacity) return false;
    if (s->base < s->raw || s->end() > s->raw + s->raw_size) return false;
    // Every block as aligned as its size allows, so at least as the config's
    // alignment (block sizes are multiples of it).
    if (reinterpret_cast<uintptr_t>(s->base) % low_bit(s->block_size) != 0) return false;
    if (s->capacity > kMaxSlabBlocks) return false;
    uint32_t live = 0;
    for (uint32_t i = 0; i < s->bump; ++i) {
      if (!s->is_live(i)) {
        if (s->state[i] != FallbackSlab::kSlabFree) return false;
        continue;
      }
      if (s->state[i] > s->block_size) return false;
      ++live;
      t.requested += s->state[i];
    }
    // The free stack holds exactly the freed blocks, each once.
    if (live != s->live || s->free_count != s->bump - live) return false;
    uint64_t seen[kMaxSlabBlocks / 64] = {};
    const uint32_t* stack = s->free_stack();
    for (uint32_t top = 0; top < s->free_count; ++top) {
      const uint32_t i = stack[top];
      if (i >= s->bump || s->is_live(i) || (seen[i / 64] >> (i % 64) & 1) != 0) return false;
      seen[i / 64] |= uint64_t(1) << (i % 64);
    }
    if (s->partial != (s->free_count != 0 || s->bump < s->capacity)) return false;
    if (s->partial) ++partial_count;
    if (live == 0) ++empty[s->kind];
    t.live += live;
    t.reserved += uint64_t(live) * s->block_size;
    t.footprint += s->raw_size + record_bytes(s->capacity);
  }
  for (uint32_t kind = 0; kind < kSlabKinds; ++kind) {
    if (empty[kind] != set.empty[kind] || empty[kind] > 1) return false;
    const FallbackSlab* prev = nullptr;
    for (const FallbackSlab* s = set.partial[kind]; s != nullptr; prev = s, s = s->next_partial) {
      if (s->kind != kind || !s->partial || s->prev_partial != prev || partial_count-- == 0) return false;
    }
  }
  if (partial_count != 0) return false;
  *out = t;
  return true;
}

}  // namespace fa32::core
