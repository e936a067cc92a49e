-- The cost of building a star and routing through it: one router (the
-- hub) and n hosts, each on its own link to it (synack.topo's star).  Two
-- packets cross it (first leaf -> last leaf and back), so the routes are
-- computed.  Prints the CPU seconds of building the topology (nodes and
-- links), of the run that sends the packets (route computation included),
-- their total and the peak RSS (VmHWM).
--
--   synack run bench/star.lua n=10000
local synack = require "synack"
local topo = require "synack.topo"

local n = math.tointeger(tonumber(synack.args.n or "1000"))
assert(n and n >= 2, "star: n must be an integer of at least 2")

local t0 = os.clock()
local sim = synack.simulator{seed = 1}
local star = topo.star(sim, n, {rate = "1Gbps", delay = "100us"})
local t1 = os.clock()
local first, last = star.leaves[1], star.leaves[n]
sim:at(0, function()
  first:send_raw{to = last, size = 100}
  last:send_raw{to = first, size = 100}
end)
sim:run()
local t2 = os.clock()
assert(first:stats().received == 1 and last:stats().received == 1,
       "star: a packet was not delivered")
assert(star.hub:stats().forwarded == 2, "star: the hub did not forward both packets")

local hwm
for line in io.lines("/proc/self/status") do
  hwm = hwm or line:match("^VmHWM:%s*(%d+)%s*kB")
end
print(("nodes %d"):format(n + 1))
print(("build_s %.3f"):format(t1 - t0))
print(("route_s %.3f"):format(t2 - t1))
print(("total_s %.3f"):format(t2 - t0))
print(("peak_rss_kb %s"):format(hwm or "?"))
