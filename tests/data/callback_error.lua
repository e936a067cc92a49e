-- Fixture for tests/cli.sh: an error inside an event callback at 3 s
-- (the error call is on line 6).
local synack = require "synack"
local sim = synack.simulator()
sim:at(3, function()
  error("callback failure")
end)
sim:at(1, function() print("event at 1 s") end)
sim:at(5, function() print("not reached") end)
sim:run()
print("not reached either")
