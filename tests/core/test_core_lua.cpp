// SPDX-License-Identifier: GPL-3.0-or-later
// A real client: the Lua 5.4 interpreter with fastalloc32 as its only
// allocator (lua_newstate(fastalloc32_lua_alloc, mm)). The scripts check
// their own results and fail through error(); after lua_close nothing may
// be live.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <lua.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fastalloc32.hpp"
#include "six_class_config.hpp"

namespace {

// Builds strings and tables of every shape Lua has (short and long strings,
// arrays, hashes, nested tables, closures) and verifies them in Lua.
constexpr const char* kWorkload = R"lua(
local function check(cond, what)
  if not cond then error("check failed: " .. what, 2) end
end

-- strings: concatenation, rep, format, gsub, interning of short strings
local parts = {}
for i = 1, 2000 do parts[#parts + 1] = string.format("item-%04d", i) end
local joined = table.concat(parts, ",")
check(#joined == 2000 * 9 + 1999, "joined length")
check(select(2, joined:gsub("item%-", "")) == 2000, "gsub count")
local long = string.rep("abc", 10000)
check(#long == 30000 and long:sub(29998) == "abc", "long string")
local s = ""
for i = 1, 300 do s = s .. tostring(i % 10) end
check(#s == 300 and s:sub(1, 12) == "123456789012", "built string")
check(("x"):rep(5) == "xxxxx", "short string")

-- tables: array part, hash part, nested, growth and shrinking
local arr = {}
for i = 1, 50000 do arr[i] = i * 2 end
local sum = 0
for i = 1, #arr do sum = sum + arr[i] end
check(sum == 50000 * 50001, "array sum")
local hash = {}
for i = 1, 20000 do hash["key" .. i] = { id = i, name = "n" .. i, tags = { i, i + 1 } } end
local count, idsum = 0, 0
for k, v in pairs(hash) do
  count = count + 1
  idsum = idsum + v.id
  check(k == "key" .. v.id and v.tags[2] == v.id + 1, "entry " .. k)
end
check(count == 20000 and idsum == 20000 * 20001 // 2, "hash contents")
for i = 1, 20000, 2 do hash["key" .. i] = nil end
collectgarbage()
count = 0
for _ in pairs(hash) do count = count + 1 end
check(count == 10000, "hash after removal")

-- sorting and closures
local words = {}
for i = 1, 5000 do words[i] = string.format("%05d", (i * 7919) % 5000) end
table.sort(words)
for i = 2, #words do check(words[i - 1] <= words[i], "sorted") end
check(words[1] == "00000" and words[#words] == "04999", "sort ends")
local counters = {}
for i = 1, 1000 do
  local n = i
  counters[i] = function() n = n + 1; return n end
end
check(counters[10]() == 11 and counters[10]() == 12 and counters[1000]() == 1001, "closures")

-- churn: many short-lived objects the collector frees and the allocator reuses
for round = 1, 20 do
  local t = {}
  for i = 1, 2000 do t[i] = { round, i, tostring(i) } end
  check(#t == 2000 and t[2000][3] == "2000", "churn round " .. round)
end
collectgarbage()
return "done"
)lua";

std::string run(lua_State* L, const char* script) {
  if (luaL_loadstring(L, script) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
    std::string err = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "(no message)";
    lua_pop(L, 1);
    return "error: " + err;
  }
  std::string result = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "(not a string)";
  lua_pop(L, 1);
  return result;
}

std::size_t count_live(const fa32::Allocator& a) {
  std::size_t n = 0;
  a.for_each_live([&](const fa32::LiveBlock&) { ++n; });
  return n;
}

fa32::Config lua_config() {
  return fa32::test::six_class_config(4 << 20);
}

// System hooks with a byte budget: past it the manager gets NULL from the
// system, as on a machine that has run out of memory.
struct Budget {
  std::size_t limit;
  std::size_t used = 0;
  int refusals = 0;

  static void* do_malloc(std::size_t size, void* user) {
    auto* b = static_cast<Budget*>(user);
    if (b->used + size > b->limit) {
      ++b->refusals;
      return nullptr;
    }
    // Keep the size in front of the block (16 bytes, so alignment holds).
    auto* raw = static_cast<unsigned char*>(std::malloc(size + 16));
    if (raw == nullptr) return nullptr;
    *reinterpret_cast<std::size_t*>(raw) = size;
    b->used += size;
    return raw + 16;
  }
  static void do_free(void* ptr, void* user) {
    if (ptr == nullptr) return;
    unsigned char* raw = static_cast<unsigned char*>(ptr) - 16;
    static_cast<Budget*>(user)->used -= *reinterpret_cast<std::size_t*>(raw);
    std::free(raw);
  }
  static void* do_map(std::size_t size, void* user) {
    auto* b = static_cast<Budget*>(user);
    if (b->used + size > b->limit) {
      ++b->refusals;
      return nullptr;
    }
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    b->used += size;
    return p;
  }
  static void do_unmap(void* ptr, std::size_t size, void* user) {
    static_cast<Budget*>(user)->used -= size;
    munmap(ptr, size);
  }
};

}  // namespace

TEST_CASE("Lua 5.4 runs on fastalloc32 and leaves nothing live") {
  for (const bool size_classes : {false, true}) {
    CAPTURE(size_classes);
    fa32::Allocator a(size_classes ? lua_config() : fa32::original_config());
    lua_State* L = lua_newstate(fastalloc32_lua_alloc, a.get());
    REQUIRE(L != nullptr);
    luaL_openlibs(L);
    CHECK(a.stats().live_allocs.current > 0);
    CHECK(run(L, kWorkload) == "done");
    CHECK(run(L, kWorkload) == "done");  // a second run reuses what the first freed
    const fa32::Stats during = a.stats();
    lua_close(L);

    const fa32::Stats after = a.stats();
    CHECK(count_live(a) == 0);
    CHECK(after.live_allocs.current == 0);
    CHECK(after.bytes_requested.current == 0);
    CHECK(after.pool_blocks.current == 0);
    CHECK(after.invalid_frees == 0);
    CHECK(after.double_frees == 0);
    CHECK(after.interior_frees == 0);
    // Freed pool blocks were handed out again.
    CHECK(after.pool_allocs > 0);
    CHECK(after.cache_hits + after.freelist_hits > 0);
    if (size_classes) {
      // With pools big enough for the script, the pools serve nearly all of
      // Lua's objects (most are small), and most of them are reused blocks.
      CHECK(during.fallback_allocs == 0);
      CHECK(during.pool_allocs > 10 * during.large_allocs);
      CHECK(after.cache_hits + after.freelist_hits > after.pool_allocs / 4);
    }
    CHECK(after.large_allocs > 0);  // the 30000-byte string, the 50000-element array
    CHECK(a.check() == FASTALLOC32_OK);
  }
}

TEST_CASE("Lua gets a memory error, not a crash, when the system runs out") {
  Budget budget{8 << 20};
  fa32::Config c = lua_config();
  c.pool_size = 256 << 10;  // 6 classes: 1.5 MiB of the budget reserved at create
  c.system = {Budget::do_malloc, Budget::do_free, Budget::do_map, Budget::do_unmap, &budget};
  fa32::Allocator a(c);
  lua_State* L = lua_newstate(fastalloc32_lua_alloc, a.get());
  REQUIRE(L != nullptr);
  luaL_openlibs(L);
  const char* hog = R"lua(
    local ok, err = pcall(function()
      local t = {}
      for i = 1, 10000000 do t[i] = "string number " .. i end
    end)
    if ok then error("expected to run out of memory") end
    if err ~= "not enough memory" then error("unexpected error: " .. tostring(err)) end
    collectgarbage()
    -- the interpreter keeps working after the failed allocation
    local t = {}
    for i = 1, 1000 do t[i] = i end
    if #t ~= 1000 then error("state broken after memory error") end
    return "recovered"
  )lua";
  CHECK(run(L, hog) == "recovered");
  CHECK(budget.refusals > 0);
  CHECK(a.stats().failed_allocs > 0);
  lua_close(L);
  CHECK(count_live(a) == 0);
  CHECK(a.stats().live_allocs.current == 0);
  CHECK(a.check() == FASTALLOC32_OK);
}

TEST_CASE("Lua states on separate threads, each on its own manager, run the workload at once") {
  // The header's promise: no global state, so managers on separate threads
  // do not interfere. Each thread records what it saw; the main thread
  // asserts (a REQUIRE must not throw from another thread).
  constexpr int kThreads = 3;
  struct Result {
    std::string first, second;
    fa32::Stats after{};
    std::size_t live_after = 1;
    fastalloc32_status check = FASTALLOC32_E_CORRUPT;
  };
  std::vector<Result> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&results, i] {
      fa32::Allocator a(i % 2 == 0 ? lua_config() : fa32::original_config());
      lua_State* L = lua_newstate(fastalloc32_lua_alloc, a.get());
      if (L == nullptr) return;
      luaL_openlibs(L);
      results[i].first = run(L, kWorkload);
      results[i].second = run(L, kWorkload);
      lua_close(L);
      results[i].after = a.stats();
      results[i].live_after = count_live(a);
      results[i].check = a.check();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    CAPTURE(i);
    const Result& r = results[i];
    CHECK(r.first == "done");
    CHECK(r.second == "done");
    CHECK(r.live_after == 0);
    CHECK(r.after.live_allocs.current == 0);
    CHECK(r.after.bytes_requested.current == 0);
    CHECK(r.after.mallocs == r.after.frees);
    CHECK(r.after.invalid_frees + r.after.double_frees + r.after.interior_frees == 0);
    CHECK(r.check == FASTALLOC32_OK);
  }
}
