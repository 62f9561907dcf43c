// SPDX-License-Identifier: GPL-3.0-or-later
// The C++ layer (fastalloc32.hpp): RAII ownership, moves, the walk over live
// blocks, and std::pmr containers running on a manager.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "fastalloc32.hpp"
#include "six_class_config.hpp"

namespace {

// System hooks that count what the manager takes from the system, so a test
// can see that everything is given back when the Allocator goes away, and
// that can be told to fail.
struct SystemLedger {
  long mallocs = 0;
  long frees = 0;
  long maps = 0;
  long unmaps = 0;
  bool fail = false;

  long outstanding() const { return (mallocs - frees) + (maps - unmaps); }

  static void* do_malloc(std::size_t size, void* user) {
    auto* l = static_cast<SystemLedger*>(user);
    if (l->fail) return nullptr;
    void* p = std::malloc(size);
    if (p != nullptr) ++l->mallocs;
    return p;
  }
  static void do_free(void* ptr, void* user) {
    if (ptr == nullptr) return;
    ++static_cast<SystemLedger*>(user)->frees;
    std::free(ptr);
  }
  static void* do_map(std::size_t size, void* user) {
    auto* l = static_cast<SystemLedger*>(user);
    if (l->fail) return nullptr;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    ++l->maps;
    return p;
  }
  static void do_unmap(void* ptr, std::size_t size, void* user) {
    ++static_cast<SystemLedger*>(user)->unmaps;
    munmap(ptr, size);
  }

  fa32::Config config(fa32::Config base = fa32::original_config()) {
    base.system.malloc = do_malloc;
    base.system.free = do_free;
    base.system.map = do_map;
    base.system.unmap = do_unmap;
    base.system.user = this;
    return base;
  }
};

fa32::Config size_classes_config() {
  return fa32::test::six_class_config(1 << 20);
}

std::uint64_t live_count(const fa32::Allocator& a) {
  return a.stats().live_allocs.current;
}

}  // namespace

TEST_CASE("Allocator gives back everything it took from the system when destroyed") {
  SystemLedger ledger;
  {
    fa32::Allocator a(ledger.config());
    REQUIRE(a);
    REQUIRE(a.get() != nullptr);
    void* small = a.malloc(24);
    void* large = a.malloc(100000);
    REQUIRE(small != nullptr);
    REQUIRE(large != nullptr);
    CHECK(ledger.outstanding() > 0);
    a.free(small);
    // `large` stays live: destroying the manager releases live blocks too.
  }
  CHECK(ledger.maps + ledger.mallocs > 0);
  CHECK(ledger.outstanding() == 0);
}

TEST_CASE("Allocator moves transfer ownership exactly once") {
  SystemLedger first_ledger, second_ledger;
  fa32::Allocator first(first_ledger.config());
  fastalloc32_mm* handle = first.get();
  char* p = static_cast<char*>(first.malloc(64));
  REQUIRE(p != nullptr);
  std::memset(p, 'x', 64);

  fa32::Allocator moved(std::move(first));
  CHECK(moved.get() == handle);
  CHECK(first.get() == nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK_FALSE(first);
  CHECK(moved.usable_size(p) >= 64);
  CHECK(p[63] == 'x');

  fa32::Allocator other(second_ledger.config());
  REQUIRE(other.malloc(32) != nullptr);
  CHECK(second_ledger.outstanding() > 0);
  other = std::move(moved);  // destroys other's old manager
  CHECK(second_ledger.outstanding() == 0);
  CHECK(other.get() == handle);
  CHECK(moved.get() == nullptr);  // NOLINT(bugprone-use-after-move)

  auto& self = other;
  other = std::move(self);  // self-move keeps the manager
  CHECK(other.get() == handle);
  other.free(p);
  CHECK(live_count(other) == 0);

  other = fa32::Allocator{};  // assigning a fresh manager destroys the old one
  CHECK(first_ledger.outstanding() == 0);
  CHECK(other.get() != nullptr);
  CHECK(other.get() != handle);
}

TEST_CASE("release and adopt hand the raw handle across the C boundary") {
  SystemLedger ledger;
  fa32::Allocator a(ledger.config());
  fastalloc32_mm* raw = a.release();
  CHECK_FALSE(a);
  REQUIRE(raw != nullptr);
  void* p = fastalloc32_malloc(raw, 10);
  REQUIRE(p != nullptr);
  {
    fa32::Allocator back = fa32::Allocator::adopt(raw);
    CHECK(back.get() == raw);
    CHECK(back.kind_of(p) == FASTALLOC32_KIND_POOL);
  }
  CHECK(ledger.outstanding() == 0);
}

TEST_CASE("a rejected config throws from the constructor and not from create()") {
  fa32::Config bad = fa32::original_config();
  bad.alignment = 24;  // not a power of two
  try {
    fa32::Allocator a(bad);
    FAIL("constructor accepted a bad config");
  } catch (const fa32::Error& e) {
    CHECK(e.status() == FASTALLOC32_E_BAD_CONFIG);
    CHECK(std::string(e.what()).find("invalid configuration") != std::string::npos);
  }
  fa32::Status status = FASTALLOC32_OK;
  fa32::Allocator empty = fa32::Allocator::create(bad, &status);
  CHECK_FALSE(empty);
  CHECK(status == FASTALLOC32_E_BAD_CONFIG);

  fa32::Allocator good = fa32::Allocator::create(size_classes_config(), &status);
  CHECK(good);
  CHECK(status == FASTALLOC32_OK);
  CHECK(good.class_count() == 6);
}

TEST_CASE("the wrappers forward to the C API") {
  fa32::Allocator a(size_classes_config());
  auto* c = static_cast<unsigned char*>(a.calloc(7, 9));
  REQUIRE(c != nullptr);
  for (int i = 0; i < 63; ++i) CHECK(c[i] == 0);
  std::memset(c, 0x3C, 63);
  c = static_cast<unsigned char*>(a.realloc(c, 5000));
  REQUIRE(c != nullptr);
  for (int i = 0; i < 63; ++i) CHECK(c[i] == 0x3C);
  CHECK(a.kind_of(c) == FASTALLOC32_KIND_LARGE);
  CHECK(a.usable_size(c) >= 5000);

  void* aligned = a.aligned_alloc(4096, 10);
  REQUIRE(aligned != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 4096 == 0);

  // Through volatile: the header's alloc_size attributes make the compiler
  // reject constant sizes this large at compile time.
  volatile std::size_t half = std::numeric_limits<std::size_t>::max() / 2;
  CHECK(a.calloc(half, 4) == nullptr);
  CHECK(a.last_status() == FASTALLOC32_E_OVERFLOW);

  void* small = a.malloc(40);  // the 48-byte class
  REQUIRE(small != nullptr);
  const fa32::ClassStats cs = a.class_stats(2);
  CHECK(cs.block_size == 48);
  CHECK(cs.blocks_in_use.current == 1);
  CHECK(a.class_stats(99).block_size == 0);
  CHECK(a.config().block_sizes[2] == 48);
  CHECK(a.config().pool_limit == size_classes_config().pool_limit);
  CHECK(fa32::Allocator::adopt(nullptr).config().version == 0);

  const fa32::Stats s = a.stats();
  CHECK(s.version == FASTALLOC32_STATS_VERSION);
  CHECK(s.live_allocs.current == 3);
  CHECK(s.realloc_pool_to_large == 1);
  CHECK(a.check() == FASTALLOC32_OK);
  a.free(c);
  a.free(aligned);
  a.free(small);
  CHECK(live_count(a) == 0);
}

TEST_CASE("for_each_live visits every live block, can stop early, and rethrows") {
  fa32::Allocator a(size_classes_config());
  std::vector<void*> blocks;
  std::size_t requested = 0;
  for (std::size_t size = 1; size <= 3000; size += 97) {
    blocks.push_back(a.malloc(size));
    REQUIRE(blocks.back() != nullptr);
    requested += size;
  }
  std::size_t seen = 0, seen_bytes = 0;
  a.for_each_live([&](const fa32::LiveBlock& b) {
    ++seen;
    seen_bytes += b.requested;
    CHECK(b.reserved >= b.requested);
    CHECK(a.usable_size(b.ptr) >= b.requested);
  });
  CHECK(seen == blocks.size());
  CHECK(seen_bytes == requested);

  std::size_t visited = 0;
  a.for_each_live([&](const fa32::LiveBlock&) { return ++visited < 5; });
  CHECK(visited == 5);

  visited = 0;
  CHECK_THROWS_AS(a.for_each_live([&](const fa32::LiveBlock&) {
    if (++visited == 3) throw std::runtime_error("stop");
  }),
                  std::runtime_error);
  CHECK(visited == 3);

  for (void* p : blocks) a.free(p);
  seen = 0;
  a.for_each_live([&](const fa32::LiveBlock&) { ++seen; });
  CHECK(seen == 0);
}

TEST_CASE("std::pmr containers run on a manager") {
  fa32::Allocator a(size_classes_config());
  fa32::MemoryResource resource(a);
  CHECK(resource.manager() == a.get());
  const std::uint64_t mallocs_before = a.stats().mallocs;

  {
    std::pmr::vector<std::uint64_t> v(&resource);
    for (std::uint64_t i = 0; i < 20000; ++i) v.push_back(i * i);
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < v.size(); ++i) {
      CHECK_MESSAGE(v[i] == i * i, "element " << i);
      sum += v[i];
    }
    CHECK(sum == 2666466670000ull);  // sum of i^2 for i < 20000
    CHECK(live_count(a) >= 1);
    CHECK(a.kind_of(v.data()) == FASTALLOC32_KIND_LARGE);

    std::pmr::string s(&resource);
    for (int i = 0; i < 500; ++i) s += static_cast<char>('a' + i % 26);
    CHECK(s.size() == 500);
    CHECK(s[27] == 'b');
    CHECK(a.usable_size(s.data()) >= 501);

    std::pmr::map<int, std::pmr::string> m(&resource);
    for (int i = 0; i < 1000; ++i) m.emplace(i, "value number " + std::to_string(i) + " of the map");
    CHECK(m.size() == 1000);
    CHECK(m.at(417) == "value number 417 of the map");
    // The strings were given the map's resource (uses-allocator construction).
    CHECK(*m.at(3).get_allocator().resource() == resource);
    CHECK(a.kind_of(m.at(999).data()) != FASTALLOC32_KIND_NONE);
    // 1000 nodes + 1000 out-of-line strings + the vector + the long string.
    CHECK(live_count(a) >= 2002);
    CHECK(a.stats().pool_allocs >= 2000);
  }
  CHECK(a.stats().mallocs - mallocs_before >= 2002);
  CHECK(live_count(a) == 0);
  CHECK(a.check() == FASTALLOC32_OK);
}

TEST_CASE("MemoryResource honours alignment, zero sizes and identity") {
  fa32::Allocator a;
  fa32::Allocator b;
  fa32::MemoryResource ra(a), ra_again(a.get()), rb(b);

  for (std::size_t align : std::initializer_list<std::size_t>{1, 2, 8, 16, 32, 64, 256, 4096}) {
    void* p = ra.allocate(100, align);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
    ra.deallocate(p, 100, align);
  }
  void* zero = ra.allocate(0);
  void* zero2 = ra.allocate(0);
  CHECK(zero != nullptr);
  CHECK(zero != zero2);
  ra.deallocate(zero, 0);
  ra.deallocate(zero2, 0);
  CHECK(live_count(a) == 0);

  CHECK(ra == ra_again);
  CHECK(ra.is_equal(ra_again));
  CHECK_FALSE(ra == rb);
  CHECK_FALSE(ra.is_equal(*std::pmr::new_delete_resource()));
  CHECK_FALSE(std::pmr::new_delete_resource()->is_equal(ra));
}

TEST_CASE("MemoryResource is not made over a temporary Allocator") {
  // MemoryResource r(fa32::Allocator{}) compiled, and left r with the
  // manager the temporary destroyed at the end of the statement.
  CHECK_FALSE(std::is_constructible_v<fa32::MemoryResource, fa32::Allocator>);
  CHECK_FALSE(std::is_constructible_v<fa32::MemoryResource, fa32::Allocator&&>);
  CHECK_FALSE(std::is_constructible_v<fa32::MemoryResource, const fa32::Allocator&&>);
  CHECK(std::is_constructible_v<fa32::MemoryResource, fa32::Allocator&>);
  CHECK(std::is_constructible_v<fa32::MemoryResource, const fa32::Allocator&>);
  CHECK(std::is_constructible_v<fa32::MemoryResource, fastalloc32_mm*>);
  // A named Allocator's resource works, an unordered_map on it included.
  fa32::Allocator a;
  fa32::MemoryResource r(a);
  {
    std::pmr::unordered_map<int, std::pmr::string> m(&r);
    for (int i = 0; i < 3000; ++i)
      m.emplace(i, "an unordered value, long enough to leave SSO " + std::to_string(i));
    CHECK(m.at(2999) == "an unordered value, long enough to leave SSO 2999");
    m.rehash(10000);
    for (int i = 0; i < 3000; i += 2) m.erase(i);
    CHECK(m.size() == 1500);
    CHECK(live_count(a) >= 3001);
  }
  CHECK(live_count(a) == 0);
  CHECK(a.check() == FASTALLOC32_OK);
}

TEST_CASE("MemoryResource throws std::bad_alloc when the manager has no memory") {
  SystemLedger ledger;
  fa32::Allocator a(ledger.config());
  fa32::MemoryResource r(a);
  volatile std::size_t huge = std::numeric_limits<std::size_t>::max() - 8;  // not a constant: see alloc_size
  CHECK_THROWS_AS((void)r.allocate(huge), std::bad_alloc);
  ledger.fail = true;  // the system refuses: large requests can no longer be served
  CHECK_THROWS_AS((void)r.allocate(1 << 22), std::bad_alloc);
  std::pmr::vector<char> v(&r);
  CHECK_THROWS_AS(v.resize(1 << 22), std::bad_alloc);
  CHECK(live_count(a) == 0);
  ledger.fail = false;
  void* p = r.allocate(1 << 22);
  CHECK(p != nullptr);
  r.deallocate(p, 1 << 22);
}

TEST_CASE("fa32::lua_alloc is the C lua_Alloc function") {
  fa32::Allocator a;
  void* p = fa32::lua_alloc(a.get(), nullptr, 4, 100);
  REQUIRE(p != nullptr);
  CHECK(live_count(a) == 1);
  CHECK(fa32::lua_alloc(a.get(), p, 100, 0) == nullptr);
  CHECK(live_count(a) == 0);
  CHECK(fa32::lua_alloc(nullptr, nullptr, 0, 16) == nullptr);
}
