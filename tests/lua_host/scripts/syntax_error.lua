-- Does not compile.
local t = {}

t[1 = 2
return t
