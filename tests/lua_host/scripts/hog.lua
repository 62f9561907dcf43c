-- Keeps about 100 KiB live per step, for (...) steps (default 1000, about
-- 100 MiB); returns the number of steps it completed.
local steps = tonumber((...)) or 1000
local keep = {}
for i = 1, steps do keep[i] = string.rep("x", 100000 + i) end
return #keep
