-- Fixture for tests/cli.sh: prints the default seed of a simulator.
local synack = require "synack"
print("seed=" .. synack.simulator():seed())
