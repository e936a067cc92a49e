-- A SYN flood from spoofed addresses fills a listener's backlog with
-- SYN_RECEIVED records that never complete (their SYN-ACKs go nowhere), so
-- legitimate connections are refused by silence; without the flood they
-- all succeed.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function run(flood_rate)
  local sim = synack.simulator{seed = 3}
  local client, attacker, server = sim:node("client"), sim:node("attacker"), sim:node("server")
  local r = sim:node("router")
  for _, n in ipairs({client, attacker, server}) do
    sim:duplex_link(n, r, {rate = "100Mbps", delay = "5ms"})
  end
  local l = server:tcp{timers = "linux"}:listen(80, {backlog = 64})
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

local ok, tried, ls = run(0)
eq(tried, 20, "attempts")
eq(ok, 20, "connections without a flood")
eq(ls.syn_queue_drops, 0, "no drops without a flood")

local fs
ok, tried, ls, fs = run(200)
-- Poisson: 1200 expected in 6 s, standard deviation 35
check(fs.packets_sent > 1060 and fs.packets_sent < 1340, "flood sent %d SYNs in 6 s at 200/s", fs.packets_sent)
check(ls.syn_queue_drops > 500, "SYN queue drops %d", ls.syn_queue_drops)
eq(ls.syn_received, 64, "the backlog is full of half-open records")
check(ok == 0, "%d of 20 connections got through the flood", ok)

local e = select(2, pcall(function()
  local sim = synack.simulator{}
  local a = sim:node("a")
  sim:duplex_link(a, sim:node("b"), {rate = 1e6, delay = 0})
  a:app{"synflood", target = "nowhere"}
end))
check(tostring(e):find("app/synflood: parameter 'target': 'nowhere' is not an IPv4 address", 1, true), "%s", tostring(e))
