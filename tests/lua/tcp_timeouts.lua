-- Timeouts of the timer profiles, seen in an endpoint's state log: a
-- SYN_RECEIVED timeout shorter than the SYN-ACK retries (a SYN-flood
-- defence), and Linux's FIN_WAIT_2 timeout of 60 s.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local log = os.tmpname()
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
local server = b:tcp{timers = {"linux", syn_received = "3s"}}
server:state_log(log)
server:listen(80, {syncookies = "off"})
-- A SYN whose handshake never completes: its record goes after 3 s, not
-- after the 63 s of SYN-ACK retries.
a:on_receive("tcp", function() end)
sim:at(0, function()
  a:send_raw{to = b, size = 40, tcp = {sport = 1111, dport = 80, seq = 5, flags = "SYN"}}
end)
sim:run{stop = 10}

-- FIN_WAIT_2 (linux: 60 s): a client closes, the server acknowledges the
-- FIN and never sends its own.
local sim2 = synack.simulator{}
local c, d = sim2:node("c"), sim2:node("d")
sim2:duplex_link(c, d, {rate = "10Mbps", delay = "1ms"})
local log2 = os.tmpname()
local client = c:tcp{timers = "linux"}
client:state_log(log2)
d:tcp():listen(80)
sim2:at(0, function()
  client:connect(d, 80):on("established", function(conn) conn:close() end)
end)
sim2:run{stop = 100}

local function read(path)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  os.remove(path)
  return text
end
local text = read(log)
check(text:find("0.001032000 10.0.1.2:80 10.0.1.1:1111 LISTEN SYN_RECEIVED syn\n", 1, true), "log:\n%s", text)
check(text:find("3.001032000 10.0.1.2:80 10.0.1.1:1111 SYN_RECEIVED CLOSED syn_received timeout\n", 1, true), "log:\n%s", text)
text = read(log2)
local t0 = text:match("\n(%d+%.%d+) [^\n]* FIN_WAIT_1 FIN_WAIT_2 ack of fin\n")
local t1 = text:match("\n(%d+%.%d+) [^\n]* FIN_WAIT_2 CLOSED fin_wait_2 timeout\n")
check(t0 and t1 and math.abs(tonumber(t1) - tonumber(t0) - 60) < 1e-9,
      "FIN_WAIT_2 from %s to %s, expected 60 s:\n%s", tostring(t0), tostring(t1), text)
