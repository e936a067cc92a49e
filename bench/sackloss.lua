-- Loss recovery at a large window: one bulk transfer over 10 Gbit/s with
-- a 100 ms RTT (a bandwidth-delay product of about 86000 segments), SACK
-- on (the default), newreno, an initial window of 1000 segments and
-- buffers of 256 MiB, so that the window grows to the full pipe.  With
-- loss=0.001 the data direction loses each packet with that probability
-- from packet `from` on (a drop list for loss/list drawn from a fixed
-- seed, the same for every build): the losses start once slow start has
-- filled the pipe, so the receiver holds a window's worth of segments
-- out of order and the sender a scoreboard of many holes.  Prints the
-- bytes, the CPU seconds (os.clock) of the run and the CPU nanoseconds
-- per byte acknowledged, as figures.  rate= changes the link's rate (to
-- compare builds on a smaller pipe); timers= the timer profile (rfc);
-- cc= the congestion control (newreno).
--
-- secs=S runs for S seconds of virtual time instead of to the end of a
-- transfer: the sender has more than it can send in that time, every
-- packet of the data direction is lost with probability `loss` from the
-- first (loss/bernoulli with the link's own seeded stream), and the
-- figures are per byte acknowledged by then.  The CPU per byte of the
-- lossy runs, over that of the lossless one, is what the loss costs.
--
--   synack run bench/sackloss.lua mb=256 loss=0.001 from=150000
--   synack run bench/sackloss.lua secs=60 loss=0.0001
local synack = require "synack"

local mb = tonumber(synack.args.mb or "256")
local p = tonumber(synack.args.loss or "0")
local from = math.tointeger(tonumber(synack.args.from or "150000"))
local secs = synack.args.secs and tonumber(synack.args.secs)
assert(mb and mb > 0, "sackloss: mb must be a positive number")
assert(p and p >= 0 and p < 1, "sackloss: loss must be a probability")
assert(from and from >= 0, "sackloss: from must be a packet index")
assert(not synack.args.secs or (secs and secs > 0), "sackloss: secs must be a positive number of seconds")
-- with secs=, more than 10 Gbit/s can carry in that time
local n = secs and math.floor(secs * 1.25e9 * 2) or math.floor(mb * 1048576)

-- the drop list: each packet from `from` to the last one the transfer
-- can need (twice its segments, for the retransmissions) with
-- probability p
local drops = {}
if p > 0 and not secs then
  local rng = synack.simulator{seed = 7}:rng("drops")
  for i = from, from + 2 * (n // 1000) do
    if rng:uniform() < p then drops[#drops + 1] = tostring(i) end
  end
end

local t0 = os.clock()
local sim = synack.simulator{seed = 1}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = synack.args.rate or "10Gbps", delay = "50ms",
  ab = {queue = {"droptail", limit = 1000000},
        loss = p > 0 and (secs and {"bernoulli", p = p} or {"list", drop = table.concat(drops, ",")}) or nil}})
local sm = {"rfc9293", sndbuf = "256MiB", rcvbuf = "256MiB", wscale = 12}
local timers = synack.args.timers or "rfc"
b:tcp{state_machine = sm, timers = timers}:listen(80, function() end)
local done = false
local c = a:tcp{state_machine = sm, timers = timers}:connect(b, 80, {initial_window = 1000, cc = synack.args.cc or "newreno"})
c:on("established", function(conn) conn:send(n); conn:close() end)
c:on("sent", function() done = sim:now(); sim:stop() end)
sim:run{stop = secs or 600}
local cpu = os.clock() - t0
local st = c.stats
if secs then
  done = sim:now()
  n = st.bytes_acked
  assert(n > 0, "sackloss: nothing was acknowledged in " .. secs .. " s")
else
  assert(done, "sackloss: the transfer did not complete")
end
print(("bytes %d"):format(n))
if not secs then print(("losses %d"):format(#drops)) end
print(("virtual_s %.3f"):format(done))
print(("retransmissions %d"):format(st.retransmissions))
print(("fast_retransmits %d"):format(st.fast_retransmits))
print(("timeouts %d"):format(st.timeouts))
print(("cpu_s %.3f"):format(cpu))
print(("cpu_ns_per_byte %.4f"):format(cpu * 1e9 / n))
