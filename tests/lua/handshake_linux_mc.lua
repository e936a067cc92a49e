-- Handshake latency under independent loss with the full linux timer
-- profile against a Monte-Carlo of Linux's own rules
-- (models.handshake_mc in lua/synack/models.lua): linear first SYN
-- timeouts (SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, giving up at
-- 131 s), and a server that answers a retransmitted SYN in SYN_RECEIVED
-- with its SYN-ACK at once and restarts its SYN-ACK timer (tcp_check_req),
-- so the SYN and SYN-ACK phases are no longer sequential and Cardwell's
-- model (handshake_model.lua) does not apply.
--
-- For each loss rate the mean (within four standard errors), the failure
-- fraction and the whole distribution of the time to ESTABLISHED (a
-- two-sample Kolmogorov-Smirnov test at significance 0.001) must agree.
-- A server that answers the retransmitted SYN with a bare ACK
-- (dup_syn_synack = false) fails: its mean is 7, 17 and 14 standard
-- errors slower at p = 0.2, 0.3 and 0.5, it fails 7 times as often at
-- p = 0.5, and its KS distance is over the bound at p = 0.3 and 0.5.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check
local models = require "synack.models"

local TIMERS = {"linux"}
local DELAY = 0.05
local MC_N = 100000   -- Monte-Carlo handshakes per loss rate
local ALPHA = 0.001   -- the KS test's significance

-- The Monte-Carlo itself first: with Linux's rules reduced to Cardwell's
-- (no linear timeouts, a bare ACK for a retransmitted SYN) it must agree
-- with the exact enumeration of models.handshake.
for _, p in ipairs({0.3, 0.5}) do
  local mean, var, pfail = models.handshake(p, {rtt = 0.1})
  local r = models.handshake_mc(p, {rtt = 0.1, n = MC_N, seed = 1, linear = 0, dup_syn_synack = false})
  local se = math.sqrt(var / r.ok)
  local sef = math.sqrt(pfail * (1 - pfail) / r.n)
  check(math.abs(r.mean - mean) < 4 * se, "p=%g: Monte-Carlo of the sequential rules: mean %.4f s, exact %.4f s (4 se = %.4f)",
        p, r.mean, mean, 4 * se)
  check(math.abs(r.fail - pfail) < 4 * sef, "p=%g: Monte-Carlo of the sequential rules: failures %.5f, exact %.5f (4 se = %.5f)",
        p, r.fail, pfail, 4 * sef)
end

-- One handshake per simulator, each with its own seed: the sorted times
-- to ESTABLISHED and the number of handshakes that failed.
local function sample(p, n)
  return T.handshakes(p, n, TIMERS, DELAY)
end

local function mean_of(t)
  local s = 0
  for _, x in ipairs(t) do
    s = s + x
  end
  return s / #t
end

-- The Monte-Carlo's RTT: a handshake without loss (propagation and the
-- serialisation of a SYN and a SYN-ACK with their options).
local rtt = sample(0, 1)[1]

-- The SYN-ACK race: the client's second SYN reaches the server at the
-- instant its SYN-ACK timer expires (both count 1 s from the first SYN).
-- Linux leaves the order to the hosts' timer slack; synack's scheduler
-- runs the server's timer first (it was scheduled first), so the
-- Monte-Carlo is run with race = "timer": the timer's SYN-ACK, then the
-- one answering the SYN.  With the first two SYN-ACKs lost the third,
-- sent at 1 s, establishes the connection (with the SYN first there
-- would be only one SYN-ACK at 1 s, and the next at 2 s).
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "1Gbps", delay = DELAY, loss = {"match", flags = "SYN+ACK", count = 2}})
  b:tcp{timers = TIMERS}:listen(80)
  local ta = a:tcp{timers = TIMERS}
  local done
  sim:at(0, function()
    ta:connect(b, 80):on("established", function() done = sim:now() end)
  end)
  sim:run{stop = 10}
  sim:close()
  check(done and math.abs(done - (1 + rtt)) < 1e-5, "first two SYN-ACKs lost: established at %s s, expected 1 s + RTT %.6f",
        tostring(done), rtt)
end

for _, case in ipairs({ {p = 0.1, n = 1000}, {p = 0.2, n = 1500}, {p = 0.3, n = 2000}, {p = 0.5, n = 2500} }) do
  local p, n = case.p, case.n
  local mc = models.handshake_mc(p, {rtt = rtt, n = MC_N, seed = 1})
  local times, failed = sample(p, n)
  local got, gotfail = mean_of(times), failed / n
  -- Both samples come from one distribution if synack is right: the
  -- Monte-Carlo's (larger) sample gives the variance for both.
  local se = math.sqrt(mc.var * (1 / #times + 1 / mc.ok))
  -- The failure fractions: the pooled fraction's standard error, and one
  -- handshake's worth of slack where failures are too rare to estimate.
  local f = (failed + mc.n - mc.ok) / (n + mc.n)
  local sef = math.sqrt(f * (1 - f) * (1 / n + 1 / mc.n))
  -- Times are atoms a whole number of seconds apart (plus the RTT);
  -- values within 1 ms are the same atom.
  local d = models.ks2(times, mc.samples, 1e-3)
  local dmax = models.ks_critical(#times, mc.ok, ALPHA)
  print(string.format("p=%.1f: synack mean %.4f p50 %.3f p90 %.3f p99 %.3f failures %.4f | "
    .. "Monte-Carlo mean %.4f p50 %.3f p90 %.3f p99 %.3f failures %.4f | 4 se %.4f | KS %.4f (bound %.4f)",
    p, got, models.quantile(times, 0.5), models.quantile(times, 0.9), models.quantile(times, 0.99), gotfail,
    mc.mean, mc.p50, mc.p90, mc.p99, mc.fail, 4 * se, d, dmax))
  check(math.abs(got - mc.mean) < 4 * se, "p=%g: mean handshake time %.4f s, Monte-Carlo %.4f s (4 se = %.4f)",
        p, got, mc.mean, 4 * se)
  check(math.abs(gotfail - mc.fail) <= 4 * sef + 1 / n, "p=%g: failure fraction %.4f, Monte-Carlo %.4f (bound %.4f)",
        p, gotfail, mc.fail, 4 * sef + 1 / n)
  check(d < dmax, "p=%g: Kolmogorov-Smirnov distance %.4f to the Monte-Carlo, bound %.4f at significance %g",
        p, d, dmax, ALPHA)
end
