-- The host passes its arguments after the script as the chunk's ...;
-- returns "<count>:<args joined with commas>".
local args = { ... }
return #args .. ":" .. table.concat(args, ",")
