-- The network model from Lua: link timing to the nanosecond, queueing,
-- routing over several hops, statistics, and clear errors for bad links.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails


-- One packet of 1000 B at 1 Mbit/s (8 ms) over 10 ms: it arrives at
-- exactly 18 ms, not a nanosecond earlier.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "1Mbps", delay = "10ms"})
  sim:at(0, function() a:send_raw{to = b, size = 1000} end)
  sim:run{stop = 0.018 - 1e-9}
  eq(b:stats().received, 0, "received before 18 ms")
  sim:run{stop = "18ms"}
  eq(b:stats().received, 1, "received at 18 ms")
  local s = l:stats().ab
  eq(s.sent_packets, 1, "sent_packets")
  eq(s.delivered_bytes, 1000, "delivered_bytes")
  eq(l:stats().ba.sent_packets, 0, "reverse direction untouched")
  check(math.abs(s.utilization - 8 / 18) < 1e-12, "utilization %g", s.utilization)
end

-- Per-direction options and a droptail limit: 10 packets at once, one
-- transmitting, 3 waiting, 6 refused; the reverse direction is faster.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "1Mbps", delay = "1ms",
    ab = {queue = {"droptail", limit = 3}}, ba = {rate = "10Mbps"}})
  sim:at(0, function()
    for _ = 1, 10 do a:send_raw{to = b, size = 500} end
    b:send_raw{to = a, size = 1250}
  end)
  sim:run()
  local s = l:stats()
  eq(s.ab.drops.queue, 6, "queue drops")
  eq(s.ab.queue_max, 3, "queue_max")
  eq(b:stats().received, 4, "received by b")
  -- 1250 B at 10 Mbit/s = 1 ms, plus 1 ms: a has it at 2 ms; the last
  -- of b's four arrives at 4 * 4 ms + 1 ms = 17 ms.
  eq(a:stats().received, 1, "received by a")
  eq(sim:now_ns(), 17000000, "time of the last arrival")
end

-- Three hops: the TTL is decremented by the two routers, a TTL of 2 dies
-- at the second router, and addresses are assigned per link.
do
  local sim = synack.simulator{}
  local n = {}
  for i = 1, 4 do n[i] = sim:node("n" .. i) end
  local links = {}
  for i = 1, 3 do
    links[i] = sim:duplex_link(n[i], n[i + 1], {rate = "10Mbps", delay = "1ms"})
  end
  eq(n[1]:address(), "10.0.1.1", "first address")
  eq(n[2]:address(2), "10.0.2.1", "second interface of n2")
  sim:at(0, function()
    n[1]:send_raw{to = n[4], size = 100}
    n[1]:send_raw{to = n[4], size = 100, ttl = 2}
  end)
  sim:run()
  eq(n[4]:stats().received, 1, "delivered over three hops")
  eq(n[2]:stats().forwarded, 2, "forwarded by n2")
  eq(n[3]:stats().drops.ttl, 1, "TTL drop at n3")
  eq(links[2]:stats().ab.drops.ttl, 1, "TTL drop counted on the link it arrived by")
  local x, y = links[3]:nodes()
  check(x == n[3] and y == n[4], "link:nodes() returns the same node objects")
end

-- Chosen addresses.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = 1e6, delay = 0, addresses = {"192.0.2.1", "192.0.2.2"}})
  local x, y = l:addresses()
  eq(x .. " " .. y, "192.0.2.1 192.0.2.2", "addresses")
  fails("address 192.0.2.1 is already in use", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, addresses = {"192.0.2.3", "192.0.2.1"}})
end

-- Bad input: each error names what is wrong.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  fails("a node named 'a' already exists", sim.node, sim, "a")
  fails("synack.node expected", sim.duplex_link, sim, a, "b", {rate = 1e6, delay = 0})
  fails("rate must be positive", sim.duplex_link, sim, a, b, {rate = 0, delay = 0})
  fails("no 'rate' for the direction a -> b", sim.duplex_link, sim, a, b, {delay = 0})
  fails("no 'delay' for the direction b -> a", sim.duplex_link, sim, a, b,
        {rate = 1e6, ab = {delay = 0}})
  fails("negative", sim.duplex_link, sim, a, b, {rate = 1e6, delay = -1})
  fails("unknown unit \"mbit\"", sim.duplex_link, sim, a, b, {rate = "10mbit", delay = 0})
  fails("option 'mtu': 39 B cannot carry", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, mtu = 39})
  fails("no queue plugin named 'fifo'", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, queue = "fifo"})
  fails("no loss plugin named 'lossy'", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, loss = "lossy"})
  fails("unknown option 'bandwidth'", sim.duplex_link, sim, a, b,
        {bandwidth = 1e6, delay = 0})
  fails("queue/droptail: parameter 'limit'", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, queue = {"droptail", limit = 0}})
  -- The message names the script line of the call.
  local ok, e = pcall(sim.duplex_link, sim, a, b, {rate = 1e6, delay = 0, queue = "fifo"})
  check(not ok and e:find("net.lua:" .. (debug.getinfo(1, "l").currentline - 1) .. ":", 1, true),
        "no script line in %q", tostring(e))
  fails("'192.0.2.300' is not an IPv4 address", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, addresses = {"192.0.2.1", "192.0.2.300"}})
end

-- A corrupting link: every TCP segment is delivered with one bit flipped
-- and the receiving node's checksum check drops it as corrupt; raw packets
-- (no transport checksum) arrive.  Bernoulli loss at p = 1 loses all.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms",
    ab = {loss = {"corrupt", p = 1}}, ba = {loss = {{"none"}, {"bernoulli", p = 1}}}})
  sim:at(0, function()
    for _ = 1, 5 do a:send_raw{to = b, size = 100, tcp = {flags = "ACK"}} end
    a:send_raw{to = b, size = 100}
    b:send_raw{to = a, size = 100}
  end)
  sim:run()
  local s = l:stats()
  eq(s.ab.corrupted, 6, "corrupted on the wire")
  eq(s.ab.delivered_packets, 6, "corrupted packets are still delivered")
  eq(s.ab.drops.corrupt, 5, "dropped by the receiver's checksum")
  eq(b:stats().drops.corrupt, 5, "counted at the receiving node")
  eq(b:stats().received, 1, "the raw packet arrives")
  eq(s.ba.drops.loss, 1, "bernoulli p = 1")
  fails("parameter 'p'", sim.duplex_link, sim, a, b,
        {rate = 1e6, delay = 0, loss = {"bernoulli", p = 2}})
  local ok, e = pcall(sim.duplex_link, sim, a, b, {rate = 1e6, delay = 0, loss = {"bernoulli", p = -0.5}})
  check(not ok and e:find("net.lua:" .. (debug.getinfo(1, "l").currentline - 1) .. ": ", 1, true),
        "no script line in %q", tostring(e))
end

-- Queue-length samples every 4 ms: ten 500 B packets at 1 Mbit/s (4 ms
-- each) leave the queue one by one; the sampler stops with the traffic.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "1Mbps", delay = "1ms"})
  sim:at(0, function() for _ = 1, 10 do a:send_raw{to = b, size = 500} end end)
  l:sample_queue("4ms")
  eq(sim:run(), "empty", "the sampler does not keep the run alive")
  local s = l:queue_samples()
  eq(s.ab.t[1], 0.0, "first sample at 0")
  eq(s.ab.t[2], 0.004, "second sample at 4 ms")
  -- At 0 the events at time 0 have not all run: the sampler was scheduled
  -- after the sends (same time, later), so all ten are in: 1 sending, 9 queued.
  eq(table.concat(s.ab.packets, ",", 1, 10), "9,8,7,6,5,4,3,2,1,0", "queue lengths")
  eq(s.ba.packets[1], 0, "reverse direction empty")
  fails("must be positive", l.sample_queue, l, 0)
end

-- Same seed, same statistics; the network is deterministic.
local function run(seed)
  local sim = synack.simulator{seed = seed}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "2Mbps", delay = "3ms", queue = {"droptail", limit = 5}})
  local r = sim:rng("arrivals")
  local t = 0
  for _ = 1, 2000 do
    t = t + r:exponential(0.004)
    sim:at(t, function() a:send_raw{to = b, size = r:integer(40, 1500)} end)
  end
  sim:run()
  local s = l:stats().ab
  return string.format("%d %d %d %.9f", s.delivered_packets, s.delivered_bytes, s.drops.queue, s.queue_avg)
end
eq(run(7), run(7), "same seed")
check(run(7) ~= run(8), "different seeds gave the same run")
