-- SPDX-License-Identifier: GPL-3.0-or-later
-- Garbage-collector churn: a live set of 30 000 slots, each step replacing a
-- random slot with a new object of a random kind (small record tables,
-- short arrays, strings of 8 bytes to 4 KiB, closures, nested tables, now
-- and then a big array or a long string), so the collector keeps freeing
-- what was replaced while most of the heap stays live. The middle third
-- runs in generational mode, the rest incremental; weak tables and __gc
-- finalisers are used along the way.
-- Argument: scale (default 1), the number of steps relative to the default.
local scale = tonumber((...)) or 1
local steps = math.max(1000, math.floor(250000 * scale + 0.5))

math.randomseed(7)
local random = math.random
local M = 0xffffffffffff
local live_size = 30000
local live = {}
local h = 0
local finalised = 0
local cache = setmetatable({}, { __mode = "v" })
local fmeta = { __gc = function() finalised = finalised + 1 end }

local function make(kind, i)
  if kind <= 30 then
    return { x = i, y = i * 2, name = "p" .. (i % 1000) }
  elseif kind <= 50 then
    local t = {}
    for j = 1, 1 + i % 9 do t[j] = j * i end
    return t
  elseif kind <= 70 then
    return string.rep("s", 8 + random(0, 120)) .. i
  elseif kind <= 80 then
    local a, b = i, kind
    return function() return a + b end
  elseif kind <= 90 then
    return { left = { i }, right = { i + 1, { i + 2 } } }
  elseif kind <= 96 then
    local s = string.rep("ab", random(64, 2048))
    cache[i % 64] = s
    return s
  elseif kind <= 98 then
    return setmetatable({ id = i }, fmeta)
  else
    local t = {}
    for j = 1, random(200, 3000) do t[j] = j end
    return t
  end
end

local function weigh(v)
  local tv = type(v)
  if tv == "table" then
    return (v.x or v.id or #v) + (v.left and 3 or 0)
  elseif tv == "string" then
    return #v
  elseif tv == "function" then
    return v()
  end
  return 0
end

for i = 1, live_size do live[i] = make(random(1, 100), i) end

local third = steps // 3
for step = 1, steps do
  if step == third then
    collectgarbage("generational")
  elseif step == 2 * third then
    collectgarbage("incremental")
  end
  local slot = random(1, live_size)
  h = (h + weigh(live[slot])) & M
  live[slot] = make(random(1, 100), step)
end
for i = 1, live_size do h = (h * 31 + weigh(live[i])) & M end
live = nil
collectgarbage()
collectgarbage()
-- every finaliser has run by now: the ones still live ran at the full collections
return (h * 31 + finalised) & M
