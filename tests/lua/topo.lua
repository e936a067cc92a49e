-- Topology helpers: shapes, names, and routes through them.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails
local topo = require "synack.topo"

local L = {rate = "10Mbps", delay = "1ms"}

do
  local sim = synack.simulator{}
  local t = topo.chain(sim, 5, L)
  eq(#t.nodes, 5, "chain nodes")
  eq(#t.links, 4, "chain links")
  eq(t.nodes[3]:name(), "n3", "chain names")
  local a, b = t.links[2]:nodes()
  check(a == t.nodes[2] and b == t.nodes[3], "links[2] joins nodes 2 and 3")
  sim:at(0, function() t.nodes[1]:send_raw{to = t.nodes[5], size = 100} end)
  sim:run()
  eq(t.nodes[5]:stats().received, 1, "end to end over the chain")
  eq(t.nodes[3]:stats().forwarded, 1, "middle node forwards")
end

do
  local sim = synack.simulator{}
  local t = topo.star(sim, 4, L)
  eq(#t.leaves, 4, "star leaves")
  sim:at(0, function() t.leaves[1]:send_raw{to = t.leaves[4], size = 100} end)
  sim:run()
  eq(t.leaves[4]:stats().received, 1, "leaf to leaf")
  eq(t.hub:stats().forwarded, 1, "through the hub")
end

do
  local sim = synack.simulator{}
  local t = topo.dumbbell(sim, 3, {access = {rate = "100Mbps", delay = "1ms"},
                                   bottleneck = {rate = "1Mbps", delay = "10ms", queue = {"droptail", limit = 4}}})
  eq(#t.left, 3, "dumbbell left")
  eq(#t.right, 3, "dumbbell right")
  sim:at(0, function()
    for i = 1, 3 do
      for _ = 1, 4 do t.left[i]:send_raw{to = t.right[i], size = 1000} end
    end
  end)
  sim:run()
  local s = t.bottleneck:stats().ab
  eq(s.sent_packets, 12, "all cross the bottleneck")
  check(s.drops.queue > 0, "the bottleneck queue overflowed")
  local got = 0
  for i = 1, 3 do got = got + t.right[i]:stats().received end
  eq(got + s.drops.queue, 12, "delivered plus dropped")
end

do
  local sim = synack.simulator{}
  local ok, e = pcall(topo.chain, sim, 1, L)
  check(not ok and e:find("topo.chain: the node count must be an integer of at least 2", 1, true), "%s", tostring(e))
  ok, e = pcall(topo.dumbbell, sim, 2, {access = L})
  check(not ok and e:find("opts.bottleneck must be a table", 1, true), "%s", tostring(e))
end
