-- A transfer over a lossy link: segments arrive out of order and carry
-- SACK blocks, recorded, and the queue sampled (for tests/oom.sh, which
-- makes allocations fail).
local synack = require "synack"
local sim = synack.simulator{seed = 3}
local a, b = sim:node("a"), sim:node("b")
local l = sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms",
  ab = {loss = {"bernoulli", p = 0.05}}})
local rec = sim:record()
l:sample_queue("1ms")
local got = 0
b:tcp():listen(80, function(c)
  c:on("data", function(_, n) got = got + n end)
end)
local c = a:tcp():connect(b, 80)
c:on("established", function(conn) conn:send(500000) end)
sim:run{stop = 60}
print("received " .. got)
