-- fin_delack: under linux a FIN that ends ESTABLISHED is acknowledged by
-- a delayed ACK, which the application's FIN carries when it closes
-- within the ACK timeout; under rfc it is acknowledged at once.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local eq = T.eq

-- The server's segments after the handshake, as "FLAGS@ms", when it
-- closes `wait` seconds after the client's FIN arrives.
local function server_close(timers, wait)
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
  local rec = sim:record()
  b:tcp{timers = timers}:listen(80, function(c)
    c:on("state", function(c, _, to)
      if to == "CLOSE_WAIT" then sim:after(wait, function() c:close() end) end
    end)
  end)
  sim:at(0, function()
    a:tcp{timers = timers}:connect(b, 80):on("established", function(c) c:close() end)
  end)
  sim:run{stop = 5}
  local out = {}
  for i, s in ipairs(rec:segments()) do
    if s.dir == "s>c" and i > 2 then out[#out + 1] = string.format("%s@%.0f", s.flags, s.sent * 1000) end
  end
  return table.concat(out, " ")
end

eq(server_close("linux", 0.01), "FIN,ACK@25", "linux: the ACK of the FIN rides on the server's FIN")
eq(server_close("linux", 1), "ACK@55 FIN,ACK@1015", "linux: a delayed ACK (40 ms) when the server waits")
eq(server_close({"linux", fin_delack = false}, 0.01), "ACK@15 FIN,ACK@25", "linux without fin_delack")
eq(server_close("rfc", 0.01), "ACK@15 FIN,ACK@25", "rfc: the FIN acknowledged at once")
print("fin_delack: ok")
