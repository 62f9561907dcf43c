-- Runs, but returns nothing to compare.
local t = {}
for i = 1, 10 do t[i] = i end
