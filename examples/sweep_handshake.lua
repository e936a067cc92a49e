-- sweep_handshake.lua: one connection over a lossy path, for `synack batch`.
--
-- A client opens one connection to a server 50 ms away (one way); every
-- packet in either direction is lost with probability `loss`.  The client
-- retransmits its SYN on the timer profile's schedule (`timers`) at most
-- `syn_retries` times, then gives up.  The metrics: whether the
-- connection was established (1 or 0), the time it took (empty when it
-- was not) and the SYNs the client sent.  examples/sweep_handshake.cfg
-- sweeps the loss probability and three SYN-retry profiles, with 30
-- replications per point:
--
--   synack batch examples/sweep_handshake.cfg -o handshake.csv
--   synack summarize handshake.csv --by loss,timers,syn_retries
--
-- or one run: synack run examples/sweep_handshake.lua loss=0.3 --seed 5
local synack = require "synack"

local experiment = {
  params = { loss = 0.1, timers = "linux", syn_retries = 6, delay = 0.05, verbose = false },
}

function experiment.run(P)
  local sim = synack.simulator{}
  local a, b = sim:node("client"), sim:node("server")
  local loss = P.loss > 0 and { "bernoulli", p = P.loss } or nil
  sim:duplex_link(a, b, { rate = "1Gbps", delay = P.delay, loss = loss })
  b:tcp{ timers = P.timers }:listen(80)
  local client = a:tcp{ timers = { P.timers, syn_retries = P.syn_retries } }
  local established, syns = nil, 0
  sim:at(0, function()
    local conn = client:connect(b, 80)
    conn:on("established", function(c)
      established, syns = sim:now(), c.stats.syns_sent
      c:abort()
    end)
    conn:on("error", function(c) syns = c.stats.syns_sent end)
  end)
  sim:run{ stop = 600 }
  if P.verbose then
    print(established and string.format("established after %.3f s, %d SYNs", established, syns)
      or string.format("gave up after %d SYNs", syns))
  end
  return { established = established and 1 or 0, handshake_s = established, syns_sent = syns }
end

return experiment
