-- loss_handshake.lua: handshake time under loss against the analytical model.
--
-- Each run is one connection over a path with a one-way delay of 50 ms
-- and independent loss p in both directions; the client retransmits its
-- SYN after 1, 2, 4, ... s (Linux's timers: 6 retries, with the classic
-- schedule: syn_linear_timeouts = 0) and the server its SYN-ACK on its own
-- timer (5 retries).  For each p the experiment makes
-- n connections (seeds 1..n) and plots the mean time to ESTABLISHED with
-- its confidence interval next to the model of lua/synack/models.lua
-- (Cardwell et al. 2000, truncated to the retry limits, enumerated
-- exactly) and, for reference, Cardwell's equation (4) with unlimited
-- retries.  Loss makes the handshake slow in steps of whole seconds: one
-- lost SYN costs a full initial timeout, whatever the RTT.
--
-- The same connections again with the full linux profile (linear first
-- SYN timeouts, the SYN-ACK resent at once for a retransmitted SYN) have
-- no closed form: they are compared with the Monte-Carlo of Linux's rules
-- in the same module (models.handshake_mc), and are faster than the
-- sequential model.
--
--   synack run examples/loss_handshake.lua
--   synack run examples/loss_handshake.lua n=3000 ci=0.99
--
-- Writes out/loss_handshake.csv (one row per p) and out/loss_handshake.svg.
-- The CSV row: the number of points, how many lie within their interval
-- of the model, and the largest distance in standard errors.
local synack = require "synack"
local models = require "synack.models"

local experiment = {
  params = { n = 1000, ci = 0.95, delay = 0.05, fast = false, verbose = true, out = "out" },
}

local TS, RC, RS = 1.0, 6, 5
-- the model's schedule, and its bare ACK for a retransmitted SYN
local TIMERS = { "linux", syn_linear_timeouts = 0, dup_syn_synack = false }
-- and Linux's own (6.x defaults), against the Monte-Carlo
local LINUX = { "linux" }

-- Normal quantiles for the usual confidence levels.
local Z = { [0.9] = 1.6449, [0.95] = 1.9600, [0.99] = 2.5758, [0.999] = 3.2905 }

local function handshakes(p, n, delay, timers)
  timers = timers or TIMERS
  local times = {}
  for seed = 1, n do
    local sim = synack.simulator{ seed = seed }
    local a, b = sim:node("a"), sim:node("b")
    sim:duplex_link(a, b, { rate = "1Gbps", delay = delay, loss = { "bernoulli", p = p } })
    b:tcp{ timers = timers }:listen(80)
    local ta = a:tcp{ timers = timers }
    sim:at(0, function()
      ta:connect(b, 80):on("established", function(c)
        times[#times + 1] = sim:now()
        c:abort()
      end):on("error", function()
        -- a handshake whose SYN retries ran out: it counts as not
        -- established (the row's "established" is below n)
      end)
    end)
    sim:run{ stop = 200 }
    sim:close()
  end
  return times
end

function experiment.run(P)
  local z = Z[P.ci] or error("ci must be one of 0.9, 0.95, 0.99, 0.999", 0)
  local ps = P.fast and { 0.1, 0.3 } or { 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4 }
  local n = P.fast and math.min(P.n, 400) or P.n
  -- The model's RTT: a handshake without loss (propagation and the
  -- serialisation of a SYN and a SYN-ACK with their options).
  local rtt = handshakes(0, 1, P.delay)[1]
  local rows, sim_pts = {}, { name = string.format("simulated (%g %% CI)", P.ci * 100),
                              t = {}, v = {}, lo = {}, hi = {}, style = "points" }
  local lnx_pts = { name = string.format("simulated, full linux profile (%g %% CI)", P.ci * 100),
                    t = {}, v = {}, lo = {}, hi = {}, style = "points" }
  local mc_n = P.fast and 20000 or 100000
  local within, worst = 0, 0
  -- a simulated mean against its model's: its half interval, whether the
  -- model lies within it, and the distance in standard errors
  local function compare(s, mean)
    local half = s.count > 1 and z * s.sd / math.sqrt(s.count) or 0
    local dist = half > 0 and math.abs(s.mean - mean) / (s.sd / math.sqrt(s.count)) or 0
    local ok = math.abs(s.mean - mean) <= half + 1e-9
    within = within + (ok and 1 or 0)
    worst = math.max(worst, dist)
    return half, ok
  end
  for _, p in ipairs(ps) do
    local s = synack.summary(handshakes(p, n, P.delay))
    local mean, var, pfail = models.handshake(p, { rtt = rtt, ts = TS, rc = RC, rs = RS })
    local half, ok = compare(s, mean)
    local l = synack.summary(handshakes(p, n, P.delay, LINUX))
    local mc = models.handshake_mc(p, { rtt = rtt, n = mc_n, seed = 1 })
    local lhalf, lok = compare(l, mc.mean)
    rows[#rows + 1] = { p = p, n = n, established = s.count, mean = s.mean, sd = s.sd,
                        ci_low = s.mean - half, ci_high = s.mean + half, p50 = s.p50, p90 = s.p90,
                        p99 = s.p99, model_mean = mean, model_sd = math.sqrt(var),
                        model_failure = pfail, within_ci = ok,
                        linux_established = l.count, linux_mean = l.mean, linux_ci_low = l.mean - lhalf,
                        linux_ci_high = l.mean + lhalf, linux_p90 = l.p90, mc_mean = mc.mean, mc_p90 = mc.p90,
                        mc_failure = mc.fail, linux_within_ci = lok }
    local j = #lnx_pts.t + 1
    lnx_pts.t[j], lnx_pts.v[j], lnx_pts.lo[j], lnx_pts.hi[j] = p, l.mean, l.mean - lhalf, l.mean + lhalf
    local k = #sim_pts.t + 1
    sim_pts.t[k], sim_pts.v[k], sim_pts.lo[k], sim_pts.hi[k] = p, s.mean, s.mean - half, s.mean + half
  end
  local curve, eq4 = { name = "model (truncated, exact)", t = {}, v = {} },
                     { name = "Cardwell eq. (4)", t = {}, v = {} }
  local mc_curve = { name = "Monte-Carlo of Linux's rules", t = {}, v = {} }
  for i = 0, math.floor(ps[#ps] * 100 + 0.5) do
    local p = i / 100
    curve.t[#curve.t + 1], curve.v[#curve.v + 1] = p, (models.handshake(p, { rtt = rtt, ts = TS, rc = RC, rs = RS }))
    if p < 0.45 then eq4.t[#eq4.t + 1], eq4.v[#eq4.v + 1] = p, models.cardwell(p, p, rtt, TS) end
    if i % 5 == 0 then
      mc_curve.t[#mc_curve.t + 1], mc_curve.v[#mc_curve.v + 1] = p,
        models.handshake_mc(p, { rtt = rtt, n = mc_n // 5, seed = 1 }).mean
    end
  end
  synack.csv.mkdir(P.out)
  synack.csv.write(P.out .. "/loss_handshake.csv", rows,
    { "p", "n", "established", "mean", "sd", "ci_low", "ci_high", "p50", "p90", "p99",
      "model_mean", "model_sd", "model_failure", "within_ci", "linux_established", "linux_mean",
      "linux_ci_low", "linux_ci_high", "linux_p90", "mc_mean", "mc_p90", "mc_failure", "linux_within_ci" })
  synack.plot.lines(P.out .. "/loss_handshake.svg", {
    title = string.format("Handshake time under loss (RTT %.1f ms, %d connections per point)", rtt * 1e3, n),
    xlabel = "loss probability p (each direction)", ylabel = "mean time to ESTABLISHED (s)",
    series = { curve, eq4, sim_pts, mc_curve, lnx_pts } })

  if P.verbose then
    print(string.format("Mean handshake time over %d connections per loss rate, RTT %.1f ms,", n, rtt * 1e3))
    print(string.format("initial timeout %g s; %g %% confidence intervals.\n", TS, P.ci * 100))
    print("      p   mean (s)   CI                 model (s)  p90 (s)  within CI")
    for _, r in ipairs(rows) do
      print(string.format("  %5.2f   %8.4f   [%7.4f, %7.4f]  %8.4f   %6.3f   %s", r.p, r.mean, r.ci_low, r.ci_high,
        r.model_mean, r.p90, tostring(r.within_ci)))
    end
    print("\nThe full linux profile against the Monte-Carlo of Linux's rules:")
    print("      p   mean (s)   CI                 Monte-Carlo (s)  p90 (s)  MC p90 (s)  within CI")
    for _, r in ipairs(rows) do
      print(string.format("  %5.2f   %8.4f   [%7.4f, %7.4f]  %8.4f         %6.3f   %6.3f      %s", r.p, r.linux_mean,
        r.linux_ci_low, r.linux_ci_high, r.mc_mean, r.linux_p90, r.mc_p90, tostring(r.linux_within_ci)))
    end
    print(string.format("\n%d of %d points lie within their interval of their model (largest distance %.2f standard errors).",
      within, 2 * #rows, worst))
    print("The mean grows by whole timeouts, not RTTs: at p = 0.1 a handshake already")
    print("costs about twice the RTT on average, and its 90th percentile is a full second.")
    print("Wrote " .. P.out .. "/loss_handshake.csv and loss_handshake.svg.\n")
  end
  return { points = 2 * #rows, within_ci = within, max_se = worst }
end

return experiment
