-- Fixture for tests/cli.sh: prints the initial window and the cc of a
-- connection made with the endpoint's defaults.
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms"})
b:tcp():listen(80)
local c = a:tcp():connect(b, 80)
c:on("established", function(conn)
  print(conn:info().cwnd, conn.stats.cc)
  conn:abort()
end)
sim:run()
