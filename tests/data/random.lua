-- Fixture for tests/cli.sh: output that depends on the seed only.
local synack = require "synack"
local sim = synack.simulator()
local r = sim:rng("arrivals")
local n = 0
local function arrive()
  n = n + 1
  print(string.format("%d %.17g %d %s", sim:now_ns(), r:uniform(),
                      r:integer(1, 100), tostring(r:bernoulli(0.3))))
  if n < 50 then sim:after(r:exponential(0.01), arrive) end
end
sim:at(0, arrive)
sim:run()
print("seed", sim:seed(), "fired", sim:fired(), "now", sim:now_ns())
