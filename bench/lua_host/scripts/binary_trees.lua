-- SPDX-License-Identifier: GPL-3.0-or-later
-- Binary trees of tables, after the classic benchmark: a stretch tree, a
-- long-lived tree that stays live throughout, and many short-lived trees of
-- every depth from 4 up, each built bottom-up and walked once. Nodes are
-- {left, right} (a table with a 2-slot array part), leaves are {}.
-- Argument: scale (default 1); below 1 the trees are shallower.
local scale = tonumber((...)) or 1

local max_depth = 14
if scale < 1 then max_depth = math.max(6, max_depth + math.floor(math.log(scale, 2))) end
local rounds = math.max(1, math.floor(scale + 0.5))

local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end

local sum = 0
for _ = 1, rounds do
  sum = sum + check(bottom_up(max_depth + 1))
  local long_lived = bottom_up(max_depth)
  for depth = 4, max_depth, 2 do
    local iterations = 1 << (max_depth - depth + 4)
    local c = 0
    for _ = 1, iterations do c = c + check(bottom_up(depth)) end
    sum = sum + c * depth
  end
  sum = sum + check(long_lived)
end
return sum
