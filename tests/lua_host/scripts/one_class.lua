-- Keeps (...) strings (default 240000) of one length live: one class of
-- blocks past 8 MiB (11 MiB of 48-byte blocks), where the default config
-- asks for huge pages. Returns how many it kept.
local n = tonumber((...)) or 240000
local keep = {}
for i = 1, n do keep[i] = string.format("%020d", i) end
return #keep
