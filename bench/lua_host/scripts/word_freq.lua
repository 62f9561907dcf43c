-- SPDX-License-Identifier: GPL-3.0-or-later
-- Word frequencies over generated text: lines of words drawn from a
-- skewed vocabulary (built from syllables), each line split with gmatch,
-- lower-cased, counted in a hash, and word pairs (bigrams) counted as
-- "a b" keys, most of which are new strings. At the end the counts are
-- sorted (by count, then word) and the top ones summed.
-- Argument: scale (default 1), the amount of text relative to the default.
local scale = tonumber((...)) or 1
local lines = math.max(100, math.floor(50000 * scale + 0.5))

math.randomseed(3)
local random = math.random
local M = 0xffffffffffff

local syllables = { "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "gu", "shi", "an", "el", "or" }
local vocab = {}
for i = 1, 5000 do
  local w = {}
  local n = 1 + i % 4
  local x = i
  for j = 1, n do
    w[j] = syllables[x % #syllables + 1]
    x = x // #syllables + j
  end
  local word = table.concat(w)
  if i % 11 == 0 then word = word:upper() end -- some capitals, folded when counted
  vocab[i] = word
end

-- A skewed pick: small indices are much more frequent (roughly Zipf).
local function pick()
  local r = random()
  return vocab[math.floor((#vocab) ^ r)]
end

local freq, pairs_freq = {}, {}
local total = 0
for l = 1, lines do
  local parts = {}
  for k = 1, 6 + l % 10 do parts[k] = pick() end
  local line = table.concat(parts, (l % 3 == 0) and ", " or " ") .. "."
  local prev = nil
  for word in line:gmatch("%a+") do
    word = word:lower()
    freq[word] = (freq[word] or 0) + 1
    if prev then
      local bigram = prev .. " " .. word
      pairs_freq[bigram] = (pairs_freq[bigram] or 0) + 1
    end
    prev = word
    total = total + 1
  end
  -- a sliding window of bigram counts: old rare pairs are dropped now and then
  if l % 5000 == 0 then
    for k, v in pairs(pairs_freq) do
      if v < 2 then pairs_freq[k] = nil end
    end
  end
end

local function top(counts, n)
  local list = {}
  for w, c in pairs(counts) do list[#list + 1] = { w = w, c = c } end
  table.sort(list, function(a, b)
    if a.c ~= b.c then return a.c > b.c end
    return a.w < b.w
  end)
  local h = #list
  for i = 1, math.min(n, #list) do h = (h * 31 + list[i].c * 7 + #list[i].w) & M end
  return h
end

return (top(freq, 100) * 31 + top(pairs_freq, 100) + total) & M
