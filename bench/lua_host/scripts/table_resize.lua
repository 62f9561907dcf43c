-- SPDX-License-Identifier: GPL-3.0-or-later
-- Tables growing and shrinking: arrays appended to one element at a time
-- (the array part doubles by realloc) and emptied again, table.insert and
-- table.remove at both ends, hashes filled with string and sparse integer
-- keys and then thinned out (rehashes both ways), mixed tables, and
-- table.move copies. Sizes range from a few slots to 64 Ki entries, so
-- blocks from 16 bytes to a megabyte are reallocated.
-- Argument: scale (default 1), the number of rounds relative to the default.
local scale = tonumber((...)) or 1
local rounds = math.max(1, math.floor(12 * scale + 0.5))

local M = 0xffffffffffff
local h = 0

local function grow_array(n, seed)
  local t = {}
  for i = 1, n do t[#t + 1] = i * seed end
  return t
end

for round = 1, rounds do
  -- 1. arrays of every size up to 64 Ki, grown by appending, then emptied
  -- from the end (the array part shrinks at the next rehash)
  local n = 1
  while n <= 65536 do
    local t = grow_array(n + round % 3, round)
    local s = 0
    for i = #t, 1, -1 do
      s = s + t[i]
      t[i] = nil
    end
    t.after = s -- a hash insert into an emptied table forces a rehash
    h = (h * 31 + s + #t) & M
    n = n * 2
  end

  -- 2. many small arrays, the sizes Lua programs mostly have
  local small = {}
  for i = 1, 20000 do
    local t = {}
    for j = 1, i % 12 do t[j] = j end
    small[i % 500 + 1] = t
    h = (h + #t) & M
  end

  -- 3. a queue: insert at the back, remove from the front
  local q = {}
  for i = 1, 3000 do
    table.insert(q, i)
    if i % 3 == 0 then h = (h + table.remove(q, 1)) & M end
  end
  while #q > 0 do h = (h * 3 + table.remove(q)) & M end

  -- 4. hashes with string keys: fill, remove two thirds, refill
  local map = {}
  for i = 1, 20000 do map["k" .. i] = i end
  for i = 1, 20000 do
    if i % 3 ~= 0 then map["k" .. i] = nil end
  end
  for i = 1, 10000 do map["n" .. i] = -i end
  local cnt, sum = 0, 0
  for _, v in pairs(map) do
    cnt = cnt + 1
    sum = sum + v
  end
  h = (h * 31 + cnt * 7 + sum) & M

  -- 5. sparse integer keys (hash part) turned dense (array part)
  local sparse = {}
  for i = 1, 8000 do sparse[i * 7] = i end
  for i = 1, 56000 do
    if sparse[i] == nil then sparse[i] = 0 end
  end
  h = (h + #sparse) & M

  -- 6. tables with both parts, copied with table.move and table.pack/unpack
  for i = 1, 2000 do
    local rec = { i, i + 1, i + 2, name = "r" .. i % 50, tag = i % 7 }
    local copy = table.move(rec, 1, 3, 1, {})
    copy.name = rec.name
    local packed = table.pack(table.unpack(copy))
    h = (h + packed.n + packed[3] + #copy.name) & M
  end
end
return h
