-- Fixture for tests/trace.sh: one connection opened and closed by both
-- sides, traced to pcap in synack.args.dir.
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
sim:pcap(synack.args.dir)
local server = b:tcp()
server:listen(80, function(conn)
  conn:on("state", function(c, from, to)
    if to == "CLOSE_WAIT" then sim:after(0.02, function() c:close() end) end
  end)
end)
local client = a:tcp()
sim:at(0, function()
  client:connect(b, 80):on("established", function(c)
    sim:after(0.05, function() c:close() end)
  end)
end)
sim:run{stop = 300}
