-- A CUBIC flow and a NewReno flow through one bottleneck: both finish, and
-- their congestion windows between losses have the shapes of their
-- algorithms.
--
-- Dumbbell, two pairs: 1 Gbit/s access links of 1 ms, a 20 Mbit/s
-- bottleneck of 38 ms each way (base RTT 80 ms), its queue droptail of
-- 133 packets (one bandwidth-delay product of 1500-byte packets), both
-- directions alike.  left1 -> right1 runs CUBIC, left2 -> right2 NewReno,
-- both with the endpoint defaults (rfc9293 with SACK and timestamps, so
-- SMSS = 1448 B; timers `rfc`; cubic's C = 0.4, beta = 0.7, fast
-- convergence and the Reno-friendly region on).  Each sends 80 MB from
-- t = 0 and closes; each receiver closes when the FIN arrives.  There is no
-- random loss: the run is deterministic, every loss a queue overflow.
-- Checked: every byte arrives and all four ends reach CLOSED.
--
-- cwnd and srtt of each sender are sampled every 10 ms until its receiver
-- has every byte.  A loss shows as a fall of cwnd between two samples (a
-- fall cannot repeat within an RTT, 8 samples or more); an epoch is the
-- stretch between two falls less its flat start (fast recovery holds cwnd
-- at ssthresh).  Only epochs that a loss ends are looked at; the first
-- (slow start) is not one, nor is one that starts with a timeout (cwnd at
-- most 2 SMSS).  The growth over a stretch is counted in SMSS per RTT: the
-- increase of cwnd over the stretch's duration in units of its mean srtt.
-- A checked stretch is halved by time, giving g1 and g2.
--
-- NewReno (RFC 5681 with byte counting): one SMSS per RTT throughout.  In
-- every epoch of 20 RTTs or more (10 RTTs a half, so that the whole-SMSS
-- steps of cwnd do not matter), g1, g2 and g2 / g1 lie in [0.8, 1.25];
-- at least 3 such epochs.  Measured here: g 0.95 - 1.01, g2 / g1 0.94 -
-- 1.02; over variants of the set-up (queue 66 or 200 packets, RTT 60 or
-- 100 ms, 10 Mbit/s) g 0.89 - 1.07 and g2 / g1 0.86 - 1.03.
--
-- CUBIC (RFC 9438): W(t) = C (t - K)^3 + W_max, concave below W_max and
-- convex above.  W_max follows 4.7 from the windows at the losses, each
-- the cwnd after the fall over beta: W_max = w, or w (1 + beta) / 2 when w
-- is below the previous W_max (fast convergence).  An epoch's concave
-- stretch runs from its start to the last sample at or below W_max, its
-- convex stretch from there to the loss.  For the pure cubic the first
-- half of the concave stretch grows 7 times as much as the second, and the
-- second half of the convex stretch 7 times as much as the first.  Checks,
-- on stretches of 10 RTTs or more: concave g1 >= 2 g2 in every epoch that
-- passed W_max (at least 2 such epochs); convex g2 >= 0.9 g1 in every
-- epoch (not slowing down: the Reno-friendly region of 4.3, linear, can
-- take over there) and g2 >= 2 g1 in at least 2.  Measured here: concave
-- g1 / g2 5.9 - 6.9, convex g2 / g1 6.3 - 7.5 (NewReno's are near 1).
-- Over the variants: concave 3.0 - 7.2 (3.0 where the Reno-friendly
-- region took part of the stretch), convex 5.7 - 7.5 in the cubic region
-- and 0.9 - 1.0 where the Reno-friendly region grew cwnd linearly.
local synack = require "synack"
local topo = require "synack.topo"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local SIZE = 80 * 1000 * 1000
local BETA = 0.7                -- cc/cubic's default
local IV = 0.01                 -- sampling interval, s
local RENO_ROUNDS = 20          -- shortest NewReno epoch checked, RTTs
local CUBIC_ROUNDS = 10         -- shortest CUBIC stretch checked, RTTs
local SHAPE = 2                 -- CUBIC: growth ratio between the halves

local sim = synack.simulator{seed = 1}
local net = topo.dumbbell(sim, 2, {
  access = { rate = "1Gbps", delay = "1ms", queue = { "droptail", limit = 1000 } },
  bottleneck = { rate = "20Mbps", delay = "38ms", queue = { "droptail", limit = 133 } },
})

local flows = { { cc = "cubic" }, { cc = "newreno" } }
for i, f in ipairs(flows) do
  f.got, f.t, f.w, f.r = 0, {}, {}, {}
  net.right[i]:tcp():listen(5000 + i, function(c)
    c:on("data", function(_, n)
      f.got = f.got + n
      if f.got == SIZE then
        f.done = sim:now()
        for _, o in ipairs(flows) do o.at_first = o.at_first or o.got end
      end
    end)
    c:on("state", function(c2, _, to)
      if to == "CLOSE_WAIT" then c2:close() end
      if to == "CLOSED" then f.server_closed = sim:now() end
    end)
  end)
  sim:at(0, function()
    local c = net.left[i]:tcp():connect(net.right[i], 5000 + i, { cc = f.cc })
    c:on("established", function(c2) c2:send(SIZE); c2:close() end)
    c:on("state", function(c2, _, to)
      if to == "TIME_WAIT" then f.stats = c2.stats end
      if to == "CLOSED" then f.client_closed = sim:now() end
    end)
    c:sample("cwnd", IV, function(t, w)
      if f.done then return false end
      f.t[#f.t + 1], f.w[#f.w + 1] = t, w
    end)
    c:sample("srtt", IV, function(_, r)
      if f.done then return false end
      f.r[#f.r + 1] = r
    end)
  end)
end
sim:run()

-- ------------------------------------------------------------ completion

local first = math.min(flows[1].done or math.huge, flows[2].done or math.huge)
for _, f in ipairs(flows) do
  check(f.got == SIZE, "%s: %d of %d bytes delivered", f.cc, f.got, SIZE)
  check(f.stats ~= nil, "%s: the sender never reached TIME_WAIT", f.cc)
  check(f.stats.bytes_acked == SIZE, "%s: %d bytes acknowledged", f.cc, f.stats.bytes_acked)
  check(f.client_closed and f.server_closed, "%s: both ends should be CLOSED (client %s, server %s)",
        f.cc, tostring(f.client_closed), tostring(f.server_closed))
  f.smss = f.stats.mss_peer - (f.stats.timestamps and 12 or 0)
end

-- ------------------------------------------------------------ epochs

-- The growth of cwnd over samples i..j, in SMSS per (mean) RTT.
local function growth(f, i, j)
  local rs = 0
  for k = i, j do rs = rs + f.r[k] end
  return (f.w[j] - f.w[i]) / f.smss / ((f.t[j] - f.t[i]) / (rs / (j - i + 1)))
end

-- Halves of the stretch of samples i..j by time: g1, g2, or nil when the
-- stretch is shorter than `rounds` mean RTTs.
local function halves(f, i, j, rounds)
  if j <= i then return nil end
  local rs = 0
  for k = i, j do rs = rs + f.r[k] end
  if f.t[j] - f.t[i] < rounds * rs / (j - i + 1) then return nil end
  local m = i
  while f.t[m + 1] <= (f.t[i] + f.t[j]) / 2 do m = m + 1 end
  return growth(f, i, m), growth(f, m, j)
end

-- Epochs ended by a loss: {a = first sample of growth, e = last sample,
-- post = cwnd after the fall that began it, rto = began with a timeout};
-- f.falls counts every fall.
local function epochs(f)
  local n = math.min(#f.w, #f.r)
  local E, s = {}, nil
  f.falls = 0
  for k = 2, n do
    if f.w[k] < f.w[k - 1] then
      f.falls = f.falls + 1
      if s then E[#E + 1] = { s = s, e = k - 1 } end
      s = k
    end
  end
  for _, e in ipairs(E) do
    e.post = f.w[e.s]
    e.rto = e.post <= 2 * f.smss
    e.a = e.s
    while e.a < e.e and f.w[e.a + 1] == f.w[e.s] do e.a = e.a + 1 end
  end
  return E
end

for _, f in ipairs(flows) do f.E = epochs(f) end

-- ------------------------------------------------------------ figures

print(string.format("bottleneck 20 Mbit/s, base RTT 80 ms, queue 133 packets; %d MB each", SIZE // 1000000))
for _, f in ipairs(flows) do
  local s = f.stats
  print(string.format("%-8s completed at %6.2f s, goodput %5.2f Mbit/s (%5.2f Mbit/s until the first finished); "
    .. "loss events: %d fast retransmits, %d timeouts (%d cwnd falls sampled); %d segments retransmitted",
    f.cc, f.done, SIZE * 8 / f.done / 1e6, f.at_first * 8 / first / 1e6,
    s.fast_retransmits, s.timeouts, f.falls, s.retransmissions))
end
local bn = net.bottleneck:stats().ab
print(string.format("bottleneck: %d queue drops, queue max %d; utilization until the last completion %.3f",
  bn.drops.queue, bn.queue_max, bn.delivered_bytes * 8 / 20e6 / math.max(flows[1].done, flows[2].done)))

-- ------------------------------------------------------------ NewReno

local reno = flows[2]
local nreno = 0
print("newreno epochs (SMSS per RTT in the first and second half):")
for _, e in ipairs(reno.E) do
  local g1, g2 = halves(reno, e.a, e.e, RENO_ROUNDS)
  if g1 and not e.rto then
    nreno = nreno + 1
    print(string.format("  %6.2f - %6.2f s  cwnd %5.1f -> %5.1f  g1 %.3f  g2 %.3f",
      reno.t[e.a], reno.t[e.e], reno.w[e.a] / reno.smss, reno.w[e.e] / reno.smss, g1, g2))
    check(g1 >= 0.8 and g1 <= 1.25 and g2 >= 0.8 and g2 <= 1.25 and g2 / g1 >= 0.8 and g2 / g1 <= 1.25,
          "newreno epoch at %.2f s: growth %.3f then %.3f SMSS/RTT, not a steady 1", reno.t[e.a], g1, g2)
  end
end
check(nreno >= 3, "newreno: %d congestion-avoidance epochs of %d RTTs or more, want 3", nreno, RENO_ROUNDS)

-- ------------------------------------------------------------ CUBIC

local cubic = flows[1]
local wmax, nconcave, nconvex = nil, 0, 0
print("cubic epochs (SMSS per RTT in the first and second half of the concave and convex stretches):")
for _, e in ipairs(cubic.E) do
  local wl = e.post / BETA / cubic.smss  -- the window at the loss, segments
  if e.rto then
    wmax = nil
  else
    wmax = (wmax and wl < wmax) and wl * (1 + BETA) / 2 or wl
    local c = e.a  -- last sample at or below W_max
    while c < e.e and cubic.w[c + 1] <= wmax * cubic.smss do c = c + 1 end
    local line = string.format("  %6.2f - %6.2f s  cwnd %5.1f -> %5.1f  W_max %5.1f %s",
      cubic.t[e.a], cubic.t[e.e], cubic.w[e.a] / cubic.smss, cubic.w[e.e] / cubic.smss, wmax,
      c < e.e and string.format("passed at %6.2f s", cubic.t[c]) or "not reached")
    local g1, g2 = halves(cubic, e.a, c, CUBIC_ROUNDS)
    if g1 and c < e.e then
      nconcave = nconcave + 1
      line = line .. string.format("  concave %.3f %.3f", g1, g2)
      check(g1 >= SHAPE * g2, "cubic epoch at %.2f s: below W_max growth %.3f then %.3f SMSS/RTT, not concave",
            cubic.t[e.a], g1, g2)
    end
    g1, g2 = halves(cubic, c, e.e, CUBIC_ROUNDS)
    if g1 then
      if g2 >= SHAPE * g1 then nconvex = nconvex + 1 end
      line = line .. string.format("  convex %.3f %.3f", g1, g2)
      check(g2 >= 0.9 * g1, "cubic epoch at %.2f s: above W_max growth %.3f then %.3f SMSS/RTT, slowing down",
            cubic.t[e.a], g1, g2)
    end
    print(line)
  end
end
check(nconcave >= 2, "cubic: %d epochs with a concave stretch of %d RTTs or more that reached W_max, want 2",
      nconcave, CUBIC_ROUNDS)
check(nconvex >= 2, "cubic: %d epochs with a convex stretch (growth at least doubling), want 2", nconvex)
