-- SPDX-License-Identifier: GPL-3.0-or-later
-- String building the ways Lua code does it: repeated `..` on a growing
-- string, string.format pieces joined with table.concat, string.rep,
-- gsub with a pattern and with a function, upper/lower/reverse/sub, and
-- tostring of numbers. Most results are short-lived; a few long strings
-- (tens of KiB) are built and dropped every round.
-- Argument: scale (default 1), the number of rounds relative to the default.
local scale = tonumber((...)) or 1
local rounds = math.max(1, math.floor(100 * scale + 0.5))

math.randomseed(42)
local words = {}
for i = 1, 200 do
  local len = 3 + i % 9
  local w = {}
  for j = 1, len do w[j] = string.char(97 + (i * 7 + j * 13) % 26) end
  words[i] = table.concat(w)
end

-- A checksum over a string without walking all of it: length and a few bytes.
local function digest(h, s)
  local n = #s
  h = (h * 31 + n) & 0xffffffffffff
  if n > 0 then
    for k = 1, n, (n // 16) + 1 do h = (h * 31 + s:byte(k)) & 0xffffffffffff end
    h = (h * 31 + s:byte(n)) & 0xffffffffffff
  end
  return h
end

local h = 0
for round = 1, rounds do
  -- 1. appending to a string: every `..` makes a new, longer string
  local s = ""
  for i = 1, 600 do s = s .. words[(round + i) % #words + 1] .. "," end
  h = digest(h, s)

  -- 2. formatted records joined with table.concat
  local parts = {}
  for i = 1, 2000 do
    parts[#parts + 1] = string.format("%05d:%s=%.3f;", i, words[i % #words + 1], (i * round) / 7)
  end
  local joined = table.concat(parts, "\n")
  h = digest(h, joined)

  -- 3. gsub: a pattern replacement and a function replacement
  local replaced, count = joined:gsub("(%d+):(%a+)", "%2@%1")
  h = digest(h, replaced) + count
  local upper = joined:gsub("%a+", function(w) return w:upper() end)
  h = digest(h, upper)

  -- 4. string.rep of many sizes, sub, reverse, lower
  for i = 1, 300 do
    local r = string.rep(words[i % #words + 1], 1 + (i * round) % 40, "-")
    local piece = r:sub(2, -2):reverse()
    h = digest(h, piece:lower())
  end

  -- 5. numbers to strings and back
  local acc = 0
  for i = 1, 3000 do
    local text = tostring(i * 3 + round) .. "." .. tostring(i % 100)
    acc = acc + math.floor(tonumber(text) * 10)
  end
  h = (h + acc) & 0xffffffffffff

  -- 6. splitting a long string into fields again
  local fields = 0
  for field in joined:gmatch("[^;\n]+") do
    if #field > 10 then fields = fields + 1 end
  end
  h = (h * 31 + fields) & 0xffffffffffff
end
return h
