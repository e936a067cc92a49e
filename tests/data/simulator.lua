-- Fixture for tests/cli.sh: creates a simulator (line 4) and prints its
-- scheduler and seed.
local synack = require "synack"
local sim = synack.simulator()
print(sim:scheduler(), sim:seed())
