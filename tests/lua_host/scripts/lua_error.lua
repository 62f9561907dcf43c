-- Fails at run time, three calls deep.
local function fail(depth)
  if depth < 3 then return fail(depth + 1) + 0 end
  local msg = "boom at depth " .. depth
  error(msg)
end
return fail(1)
