-- Fixture for tests/cli.sh: a seed given in the script wins over --seed.
local synack = require "synack"
print("seed=" .. synack.simulator{ seed = 42 }:seed())
