-- Fixture for tests/cli.sh: prints synack.args (sorted) and arg.
local synack = require "synack"
local keys = {}
for k in pairs(synack.args) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do print("args." .. k .. "=" .. synack.args[k]) end
for i = 0, #arg do print("arg[" .. i .. "]=" .. tostring(arg[i])) end
