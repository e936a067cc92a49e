-- node:tcp{rcvbuf = N}: the endpoint's receive buffer, which every
-- connection has from its first segment, a listener's before it is
-- accepted too (the window its ACKs advertise); bad values are errors
-- naming the option.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

-- The window a client sees from a listener (manual accept, never
-- accepted) after sending it data; rcvbuf: the listener's option.
local function window(rcvbuf)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
  b:tcp{rcvbuf = rcvbuf, timers = "linux"}:listen(80, {accept = "manual"})
  local c = a:tcp{timers = "linux"}:connect(b, 80)
  c:on("established", function(conn) conn:send(1000) end)
  sim:run{stop = 1}
  check(c.state == "ESTABLISHED", "rcvbuf %s: %s", tostring(rcvbuf), c.state)
  return c:info().snd_wnd
end

-- (under linux the window is a share of the buffer that grows from the
-- SYN's, two MSS per segment: rcv_ratio_initial, rcv_ratio, rcv_grow)
local def = window(nil)
check(def > 65535, "the default rcvbuf (4 MiB) gives a window of %d", def)
for _, v in ipairs{131072, "128KiB"} do
  local w = window(v)
  -- (above the SYN's 64240, at most 154/256 of the buffer)
  check(w > 64240 and w <= 78848 and w < def, "rcvbuf %s: the window is %d", tostring(v), w)
end
local small = window(4096)
check(small <= 4096 * 154 // 256 and small >= 1000, "rcvbuf 4096: the window is %d", small)

for _, bad in ipairs{0, -1, "lots", true, 1.5, 2 ^ 31} do
  local sim = synack.simulator{seed = 1}
  local n = sim:node("n")
  local ok, err = pcall(function() return n:tcp{rcvbuf = bad} end)
  check(not ok and tostring(err):find("rcvbuf", 1, true),
        "rcvbuf = %s: %s", tostring(bad), tostring(err))
  -- nothing half made: the node takes an endpoint afterwards
  check(pcall(function() return n:tcp{} end), "rcvbuf = %s: the node is left unusable", tostring(bad))
end
print("tcp_ep_rcvbuf: ok")
