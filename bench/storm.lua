-- The handshake storm with a Lua script: 100 clients behind one router
-- open N connections to one server, one every 10 us in turn; each sends
-- 1000 bytes and closes first, so its client goes through TIME_WAIT.
-- The server is an application (sink) that Lua never touches.  Prints
-- connections, CPU seconds (os.clock), CPU us per connection, the same
-- without building the topology (run_us_per_conn) and the peak RSS
-- (VmHWM) as figures.
--
-- clients= sets how many clients (100): each holds its connections in
-- TIME_WAIT for 240 s (the default profile's 2 MSL), on 28232 ephemeral
-- ports, so past about 2.8 x 10^6 connections (10^5 a second, each of
-- 100 clients opening 1000 a second) the storm needs more clients, e.g.
-- clients=1000 for n=10^7.
--
--   synack run bench/storm.lua n=10000
--   synack run bench/storm.lua n=10000000 clients=1000
local synack = require "synack"
local topo = require "synack.topo"

local n = math.tointeger(tonumber(synack.args.n or "10000"))
assert(n and n >= 1, "storm: n must be a positive integer")
local clients = math.tointeger(tonumber(synack.args.clients or "100"))
assert(clients and clients >= 1, "storm: clients must be a positive integer")

local t0 = os.clock()
local sim = synack.simulator{seed = 1}
local star = topo.star(sim, clients, {rate = "1Gbps", delay = "100us"}, "client")
local server = sim:node("server")
sim:duplex_link(star.hub, server, {rate = "10Gbps", delay = "1ms"})
server:app{"sink", port = 80}
local eps = {}
for i = 1, clients do eps[i] = star.leaves[i]:tcp() end

local done, started = 0, 0
local function established(c) c:send(1000); c:close() end
local function closed() done = done + 1 end
local function tick()
  started = started + 1
  eps[(started - 1) % clients + 1]:connect(server, 80)
    :on("established", established)
    :on("closed", closed)
  if started < n then sim:after("10us", tick) end
end
sim:after(0, tick)
local t1 = os.clock()
sim:run()
assert(done == n, ("storm: %d of %d connections closed"):format(done, n))
local cpu = os.clock() - t0

local hwm
for line in io.lines("/proc/self/status") do
  hwm = hwm or line:match("^VmHWM:%s*(%d+)%s*kB")
end
print(("connections %d"):format(n))
print(("cpu_s %.3f"):format(cpu))
print(("cpu_us_per_conn %.2f"):format(cpu * 1e6 / n))
print(("run_us_per_conn %.2f"):format((os.clock() - t1) * 1e6 / n))
print(("peak_rss_kb %s"):format(hwm or "?"))
