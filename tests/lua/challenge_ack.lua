-- RFC 5961: in-window resets and SYNs get challenge ACKs, at most
-- challenge_ack_limit per second per endpoint; the connection survives a
-- blind reset attack that does not hit RCV.NXT exactly.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
local server = b:tcp{state_machine = {"rfc9293", challenge_ack_limit = 5}, isn = {"fixed", value = 0}}
local conn
server:listen(80, function(c) conn = c end)
-- A fake client: handshake from port 40000 with ISN 100, then 30 resets in
-- the window (seq 105 ... 134) within 0.3 s, then 30 more a second later.
a:on_receive("tcp", function() end)
sim:at(0, function()
  a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 100, flags = "SYN"}}
end)
sim:at(0.01, function()
  a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 101, ack = 1, flags = "ACK"}}
end)
for i = 1, 30 do
  sim:at(0.1 + i * 0.01, function()
    a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 104 + i, flags = "RST"}}
  end)
  sim:at(1.1 + i * 0.01, function()
    a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 7, flags = "SYN"}}
  end)
end
sim:run{stop = 3}
check(conn, "the connection was accepted")
eq(conn.state, "ESTABLISHED", "state after the attack")
local s = conn.stats
eq(s.challenge_acks, 10, "challenge ACKs: 5 in each second")
eq(s.challenge_acks_suppressed, 50, "suppressed")
