-- Fixture for tests/trace.sh: one connection opened by a, a request of
-- 18 bytes, an answer of 100, then closed by both sides; traced to pcap in
-- synack.args.dir.
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
sim:pcap(synack.args.dir)
local server = b:tcp()
server:listen(80, function(conn)
  conn:on("data", function(c, n, bytes)
    assert(bytes == "GET / HTTP/1.0\r\n\r\n", "the request arrived whole")
    c:send(string.rep("x", 100))
  end)
  conn:on("state", function(c, from, to)
    if to == "CLOSE_WAIT" then sim:after(0.02, function() c:close() end) end
  end)
end)
local client = a:tcp()
sim:at(0, function()
  local got = 0
  client:connect(b, 80):on("established", function(c)
    c:send("GET / HTTP/1.0\r\n\r\n")
    sim:after(0.05, function() c:close() end)
  end):on("data", function(c, n) got = got + n end)
  sim:at(1, function() assert(got == 100, "the answer arrived whole") end)
end)
sim:run{stop = 300}
