-- A SYN flood from spoofed addresses fills a listener's backlog with
-- SYN_RECEIVED records that never complete (their SYN-ACKs go nowhere), so
-- legitimate connections are refused by silence; without the flood they
-- all succeed, and with SYN cookies (RFC 4987) they succeed through it.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function run(flood_rate, cookies)
  local sim = synack.simulator{seed = 3}
  local client, attacker, server = sim:node("client"), sim:node("attacker"), sim:node("server")
  local r = sim:node("router")
  for _, n in ipairs({client, attacker, server}) do
    sim:duplex_link(n, r, {rate = "100Mbps", delay = "5ms"})
  end
  local l = server:tcp{timers = "linux"}:listen(80, {backlog = 64, syncookies = cookies})
  local ok, tried = 0, 0
  local ep = client:tcp{timers = "linux"}
  for i = 1, 20 do
    sim:at(1 + i * 0.2, function()
      tried = tried + 1
      ep:connect(server, 80):on("established", function(c) ok = ok + 1; c:abort() end)
    end)
  end
  local flood
  if flood_rate > 0 then
    flood = attacker:app{"synflood", target = server:address(), port = 80, rate = flood_rate, stop = 6}
  end
  sim:run{stop = 12}
  return ok, tried, l:stats(), flood and flood:stats()
end

local ok, tried, ls = run(0, "off")
eq(tried, 20, "attempts")
eq(ok, 20, "connections without a flood")
eq(ls.syn_queue_drops, 0, "no drops without a flood")

local fs
ok, tried, ls, fs = run(200, "off")
-- Poisson: 1200 expected in 6 s, standard deviation 35
check(fs.packets_sent > 1060 and fs.packets_sent < 1340, "flood sent %d SYNs in 6 s at 200/s", fs.packets_sent)
check(ls.syn_queue_drops > 500, "SYN queue drops %d", ls.syn_queue_drops)
eq(ls.syn_received, 64, "the backlog is full of half-open records")
check(ok == 0, "%d of 20 connections got through the flood", ok)
eq(ls.cookies_sent, 0, "no cookies when they are off")

-- With cookies once the backlog is full: every legitimate connection is
-- established from its cookie; spoofed SYNs cost the server nothing.
ok, tried, ls, fs = run(200, "on_overflow")
eq(ok, 20, "connections through the flood with SYN cookies")
check(ls.cookies_sent > 1000, "cookies sent: %d", ls.cookies_sent)
eq(ls.cookies_accepted, 20, "cookies accepted: the legitimate clients")
eq(ls.syn_queue_drops, 0, "no SYN dropped")

-- Always: even without a flood every connection is a cookie.
ok, tried, ls = run(0, "always")
eq(ok, 20, "connections with cookies always")
eq(ls.cookies_accepted, 20, "all from cookies")
eq(ls.syn_received, 0, "no record ever waits in SYN_RECEIVED")

local e = select(2, pcall(function()
  local sim = synack.simulator{}
  local a = sim:node("a")
  sim:duplex_link(a, sim:node("b"), {rate = 1e6, delay = 0})
  a:app{"synflood", target = "nowhere"}
end))
check(tostring(e):find("app/synflood: parameter 'target': 'nowhere' is not an IPv4 address", 1, true), "%s", tostring(e))

-- A forged final ACK (a guessed cookie) is rejected and answered with a
-- reset; no connection appears.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local accepted = 0
  local l = b:tcp():listen(80, {syncookies = "always"}, function() accepted = accepted + 1 end)
  local rst = 0
  a:on_receive("tcp", function(p) if p.flags:find("R") then rst = rst + 1 end end)
  sim:at(0, function()
    a:send_raw{to = b, size = 40, tcp = {sport = 5000, dport = 80, seq = 10, ack = 123457, flags = "ACK"}}
  end)
  sim:run()
  eq(l:stats().cookies_rejected, 1, "forged cookie rejected")
  eq(rst, 1, "answered with a reset")
  eq(accepted, 0, "no connection")
end
