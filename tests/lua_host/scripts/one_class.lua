-- Keeps (...) strings (default 60000) of one length live: one class of
-- blocks past 2 MiB, where the default config asks for huge pages. Returns
-- how many it kept.
local n = tonumber((...)) or 60000
local keep = {}
for i = 1, n do keep[i] = string.format("%020d", i) end
return #keep
