-- SPDX-License-Identifier: GPL-3.0-or-later
-- A small JSON encoder and parser in plain Lua, the kind every Lua program
-- carries: documents of nested objects and arrays (records with strings,
-- numbers, booleans, escapes) are generated, encoded (keys sorted, pieces
-- joined with table.concat), parsed back into tables, encoded again and
-- compared. Parsing makes a table per object and array and a string per key
-- and value; encoding makes a string per piece.
-- Argument: scale (default 1), the number of documents relative to the default.
local scale = tonumber((...)) or 1
local documents = math.max(1, math.floor(40 * scale + 0.5))

math.randomseed(11)
local random = math.random
local M = 0xffffffffffff

---------------------------------------------------------------- encoder
local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }

local function encode_string(s, out)
  out[#out + 1] = '"' .. s:gsub('[%c"\\]', escapes) .. '"'
end

local encode_value

local function is_array(t)
  local n = #t
  return n > 0 or next(t) == nil, n
end

function encode_value(v, out)
  local tv = type(v)
  if tv == "string" then
    encode_string(v, out)
  elseif tv == "number" then
    if math.type(v) == "integer" then
      out[#out + 1] = tostring(v)
    else
      out[#out + 1] = string.format("%.14g", v)
    end
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif tv == "table" then
    local array, n = is_array(v)
    if array then
      out[#out + 1] = "["
      for i = 1, n do
        if i > 1 then out[#out + 1] = "," end
        encode_value(v[i], out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys) -- pairs() order differs between runs; the text must not
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        encode_string(k, out)
        out[#out + 1] = ":"
        encode_value(v[k], out)
      end
      out[#out + 1] = "}"
    end
  else
    error("cannot encode a " .. tv)
  end
end

local function encode(v)
  local out = {}
  encode_value(v, out)
  return table.concat(out)
end

---------------------------------------------------------------- parser
local unescapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", n = "\n", t = "\t", r = "\r", b = "\b", f = "\f" }

local parse_value

local function skip(s, i) return s:find("[^ \t\r\n]", i) or #s + 1 end

local function parse_string(s, i)
  -- s:sub(i, i) == '"'
  local j = i + 1
  local parts = nil
  while true do
    local k = s:find('["\\]', j)
    if not k then error("unterminated string at " .. i) end
    if s:byte(k) == 34 then -- '"'
      if parts then
        parts[#parts + 1] = s:sub(j, k - 1)
        return table.concat(parts), k + 1
      end
      return s:sub(i + 1, k - 1), k + 1
    end
    parts = parts or {}
    parts[#parts + 1] = s:sub(j, k - 1)
    local e = s:sub(k + 1, k + 1)
    parts[#parts + 1] = unescapes[e] or error("bad escape \\" .. e)
    j = k + 2
  end
end

function parse_value(s, i)
  i = skip(s, i)
  local c = s:byte(i)
  if c == 123 then -- {
    local obj = {}
    i = skip(s, i + 1)
    if s:byte(i) == 125 then return obj, i + 1 end
    while true do
      local key
      key, i = parse_string(s, skip(s, i))
      i = skip(s, i)
      if s:byte(i) ~= 58 then error("expected ':' at " .. i) end
      obj[key], i = parse_value(s, i + 1)
      i = skip(s, i)
      c = s:byte(i)
      if c == 125 then return obj, i + 1 end
      if c ~= 44 then error("expected ',' or '}' at " .. i) end
      i = i + 1
    end
  elseif c == 91 then -- [
    local arr = {}
    i = skip(s, i + 1)
    if s:byte(i) == 93 then return arr, i + 1 end
    while true do
      arr[#arr + 1], i = parse_value(s, i)
      i = skip(s, i)
      c = s:byte(i)
      if c == 93 then return arr, i + 1 end
      if c ~= 44 then error("expected ',' or ']' at " .. i) end
      i = i + 1
    end
  elseif c == 34 then
    return parse_string(s, i)
  elseif s:find("^true", i) then
    return true, i + 4
  elseif s:find("^false", i) then
    return false, i + 5
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not num or num == "" then error("unexpected character at " .. i) end
    return math.tointeger(tonumber(num)) or tonumber(num), i + #num
  end
end

local function decode(s)
  local v, i = parse_value(s, 1)
  if skip(s, i) <= #s then error("trailing characters at " .. i) end
  return v
end

---------------------------------------------------------------- documents
local names = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa" }

local function make_record(id)
  local tags = {}
  for t = 1, random(0, 6) do tags[t] = names[random(#names)] .. t end
  return {
    id = id,
    name = names[id % #names + 1] .. "-" .. id,
    score = random(0, 100000) / 64,
    active = random(2) == 1,
    note = (id % 5 == 0) and 'says "hi"\n\tand\\goes' or "plain",
    tags = tags,
    position = { x = random(-1000, 1000), y = random(-1000, 1000), z = random(-1000, 1000) },
    history = { random(100), random(100), random(100), random(100) },
  }
end

local function make_document(d)
  local records = {}
  for r = 1, 400 do records[r] = make_record(d * 1000 + r) end
  return { version = d, title = "document " .. d, records = records, meta = { count = #records, ok = true } }
end

local h = 0
for d = 1, documents do
  local text = encode(make_document(d))
  local doc = decode(text)
  local again = encode(doc)
  if again ~= text then error("round trip changed document " .. d) end
  local score = 0
  for _, r in ipairs(doc.records) do
    score = score + r.id + #r.tags + r.position.x + (r.active and 1 or 0)
  end
  h = (h * 31 + #text + score) & M
end
return h
