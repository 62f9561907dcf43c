-- SPDX-License-Identifier: GPL-3.0-or-later
-- Allocation-heavy Lua: a small in-memory "ledger" built from generated
-- records, indexed, serialised to a JSON-like text, parsed back, queried
-- and partly dropped again (so the collector frees as it goes).
--
--   lua5.4 tables.lua [SCALE]
--
-- Deterministic: math.randomseed with a fixed seed; the output (a few
-- summary lines) is the same for the same SCALE.
local scale = tonumber(arg[1] or "1") or 1
math.randomseed(20240601)
local rnd = math.random

local syllables = { "ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "en", "dar", "gul", "pe", "tor" }
local function word()
  local parts = {}
  for i = 1, rnd(1, 4) do parts[i] = syllables[rnd(#syllables)] end
  return table.concat(parts)
end

local n = math.max(1, math.floor(15000 * scale))
local ledger, by_name, by_tag = {}, {}, {}
for i = 1, n do
  local rec = {
    id = i,
    name = word() .. " " .. word(),
    amount = rnd(1, 100000) / 100,
    tags = {},
    history = {},
  }
  for t = 1, rnd(0, 4) do rec.tags[t] = word() end
  for h = 1, rnd(1, 6) do rec.history[h] = { day = rnd(1, 365), delta = rnd(-500, 500) } end
  ledger[i] = rec
  local bucket = by_name[rec.name]
  if not bucket then
    bucket = {}
    by_name[rec.name] = bucket
  end
  bucket[#bucket + 1] = rec
  for _, t in ipairs(rec.tags) do
    local list = by_tag[t] or {}
    list[#list + 1] = i
    by_tag[t] = list
  end
end

-- Serialise every record (string building through table.concat and format).
local function serialise(rec)
  local h = {}
  for k, e in ipairs(rec.history) do h[k] = string.format('{"day":%d,"delta":%d}', e.day, e.delta) end
  local tags = {}
  for k, t in ipairs(rec.tags) do tags[k] = '"' .. t .. '"' end
  return string.format('{"id":%d,"name":"%s","amount":%.2f,"tags":[%s],"history":[%s]}', rec.id, rec.name,
    rec.amount, table.concat(tags, ","), table.concat(h, ","))
end
local lines = {}
for i, rec in ipairs(ledger) do lines[i] = serialise(rec) end
local text = table.concat(lines, "\n")
lines = nil

-- Parse it back with patterns into fresh tables.
local parsed = {}
for line in text:gmatch("[^\n]+") do
  local rec = { tags = {}, history = {} }
  rec.id = tonumber(line:match('"id":(%d+)'))
  rec.name = line:match('"name":"([^"]*)"')
  rec.amount = tonumber(line:match('"amount":([%d%.]+)'))
  for t in line:match('"tags":%[([^%]]*)%]'):gmatch('"([^"]+)"') do rec.tags[#rec.tags + 1] = t end
  for d, v in line:gmatch('{"day":(%d+),"delta":(%-?%d+)}') do
    rec.history[#rec.history + 1] = { day = tonumber(d), delta = tonumber(v) }
  end
  parsed[#parsed + 1] = rec
end
assert(#parsed == n, "parsed " .. #parsed .. " of " .. n)

-- Queries: balances, the top names, tag statistics, a rewrite with gsub.
local balance = {}
for _, rec in ipairs(parsed) do
  local b = rec.amount
  for _, e in ipairs(rec.history) do b = b + e.delta / 100 end
  balance[#balance + 1] = { name = rec.name, value = b }
end
table.sort(balance, function(a, b)
  if a.value ~= b.value then return a.value > b.value end
  return a.name < b.name
end)
local tag_names = {}
for t in pairs(by_tag) do tag_names[#tag_names + 1] = t end
table.sort(tag_names, function(a, b)
  if #by_tag[a] ~= #by_tag[b] then return #by_tag[a] > #by_tag[b] end
  return a < b
end)
local rewritten = text:gsub('"amount":(%d+)%.(%d+)', function(u, c) return '"cents":' .. u .. c end)

-- Drop most of the ledger and rebuild part of it: the collector frees as the
-- program goes on, as a long-running script's would.
for i = 1, n, 3 do ledger[i] = nil end
for round = 1, 3 do
  local snapshot = {}
  for i, rec in pairs(ledger) do
    if i % (round + 1) == 0 then snapshot[#snapshot + 1] = serialise(rec):upper() end
  end
  local names = {}
  for _, s in ipairs(snapshot) do names[#names + 1] = s:sub(1, 24) end
  table.sort(names)
  ledger[#ledger + 1] = { id = -round, name = names[1] or "", amount = 0, tags = {}, history = {} }
end

print(string.format("records %d, distinct names %d, tags %d", n, (function()
  local c = 0
  for _ in pairs(by_name) do c = c + 1 end
  return c
end)(), #tag_names))
print(string.format("text %d bytes, rewritten %d bytes", #text, #rewritten))
print("top", balance[1].name, string.format("%.2f", balance[1].value))
