-- A connection let go in TIME_WAIT (its object dropped, its only handler
-- taking no parameter) whose 4-tuple a connect takes over outside a run
-- (the linux profile's tw_reuse, an explicit port): the binding takes it
-- back with the main thread's state (an endpoint made by node:tcp), and
-- the new connection opens.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local sim = synack.simulator{seed = 5}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
local ta = a:tcp{timers = "linux"}
local tb = b:tcp{timers = "linux"}
local closed = 0
local l = tb:listen(80, function(c)
  c:on("closed", function() closed = closed + 1 end)
  sim:after(0.05, function() c:close() end)
end)
-- the client closes once the server has: the server's side ends in TIME_WAIT
local cl = ta:connect(b, 80, {lport = 40000})
cl:on("state", function(conn, _, to) if to == "CLOSE_WAIT" then conn:close() end end)
sim:run{stop = 0.5}
cl = nil
collectgarbage()
eq(sim:lua_stats().conn_weak, 1, "the server's connection let go in TIME_WAIT")
eq(closed, 0, "closed() before the TIME_WAIT ends")

-- the port is no listener's any more, so that connect may take it over
l:close()
local accepted
ta:listen(40000, function(c) accepted = c end)
local c = tb:connect(a, 40000, {lport = 80})
eq(c.stats.lport, 80, "the new connection's port")
eq(c.state, "SYN_SENT", "the new connection")
eq(sim:lua_stats().conn_weak, 0, "the connection let go, taken back and closed")
local s = tb:stats()
eq(s.tw_compact + s.tw_full, 0, "TIME_WAIT records once taken over")
sim:run{stop = 1}
eq(c.state, "ESTABLISHED", "the new connection after the run")
check(accepted and accepted.state == "ESTABLISHED", "the client accepted it")
