-- SPDX-License-Identifier: GPL-3.0-or-later
-- Closures and coroutines: closures with shared and private upvalues made
-- in loops, function composition and memoisation, generators written with
-- coroutine.wrap, pipelines of coroutine filters (the prime sieve, one
-- coroutine per prime), and many short-lived coroutines that each yield a
-- few times. Every coroutine is a Lua thread with its own stack.
-- Argument: scale (default 1), the number of rounds relative to the default.
local scale = tonumber((...)) or 1
local rounds = math.max(1, math.floor(60 * scale + 0.5))

local M = 0xffffffffffff

-- closures: counters sharing one upvalue, adders with private ones
local function make_counter_pair()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end

local function compose(f, g) return function(x) return f(g(x)) end end

local function memoize(f)
  local cache = {}
  return function(x)
    local v = cache[x]
    if v == nil then
      v = f(x)
      cache[x] = v
    end
    return v
  end
end

-- a generator: yields 1..n in steps
local function range(n, step)
  return coroutine.wrap(function()
    for i = 1, n, step do coroutine.yield(i) end
  end)
end

-- the coroutine prime sieve: each prime found adds a filter coroutine
local function sieve(limit)
  local function gen()
    return coroutine.wrap(function()
      for i = 2, limit do coroutine.yield(i) end
      coroutine.yield(nil)
    end)
  end
  local function filter(p, src)
    return coroutine.wrap(function()
      while true do
        local v = src()
        if v == nil then coroutine.yield(nil) end
        if v % p ~= 0 then coroutine.yield(v) end
      end
    end)
  end
  local src, count, sum = gen(), 0, 0
  while true do
    local p = src()
    if p == nil then break end
    count, sum = count + 1, sum + p
    src = filter(p, src)
  end
  return count, sum
end

local h = 0
for round = 1, rounds do
  -- 1. closures made and called in a loop
  local incs, gets = {}, {}
  for i = 1, 3000 do incs[i], gets[i] = make_counter_pair() end
  for k = 1, 5 do
    for i = 1, #incs, k do incs[i]() end
  end
  for i = 1, #gets, 7 do h = (h * 31 + gets[i]()) & M end

  -- 2. composed closures, rebuilt every round
  local f = function(x) return x + round end
  for i = 1, 200 do
    local c = i
    f = compose(function(x) return (x * 3 + c) % 1000003 end, f)
  end
  for x = 1, 300 do h = (h + f(x)) & M end

  -- 3. a memoised recursive function (a fresh cache every round)
  local fib
  fib = memoize(function(n)
    if n < 2 then return n end
    return (fib(n - 1) + fib(n - 2)) & M
  end)
  for n = 1, 2000, 3 do h = (h + fib(n)) & M end

  -- 4. generators: many short ones
  for g = 1, 600 do
    local s = 0
    for v in range(30 + g % 20, 1 + g % 3) do s = s + v end
    h = (h * 31 + s) & M
  end

  -- 5. the sieve: a pipeline of coroutines (one per prime; nested resumes
  -- are bounded by the C stack, so the primes stay below 700)
  for k = 1, 3 do
    local count, sum = sieve(600 + (round * 7 + k) % 100)
    h = (h * 31 + count * 1000003 + sum) & M
  end

  -- 6. coroutines as explicit threads, resumed round-robin
  local threads = {}
  for t = 1, 400 do
    threads[t] = coroutine.create(function(a)
      local acc = a
      for step = 1, 8 do acc = acc + coroutine.yield(acc * step) end
      return acc
    end)
  end
  local live = #threads
  local value = 1
  while live > 0 do
    live = 0
    for t = 1, #threads do
      local co = threads[t]
      if coroutine.status(co) ~= "dead" then
        local ok, v = coroutine.resume(co, value + t)
        assert(ok, v)
        value = (value + v) % 1000
        live = live + 1
      end
    end
  end
  h = (h * 31 + value) & M
end
return h
