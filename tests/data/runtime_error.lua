-- Fixture for tests/cli.sh: a runtime error on line 4, inside a function.
local synack = require "synack"
local function explode(what)
  error("runtime failure: " .. what)
end
print("before")
explode("kaboom")
print("not reached")
