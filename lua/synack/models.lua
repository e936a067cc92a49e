-- Analytical models that the examples and tests compare synack against.
--
--   local models = require "synack.models"     -- or synack.models
--   local mean, var, pfail = models.handshake(p, {rtt =, ts =, rc =, rs =})
--   local r = models.handshake_mc(p, {rtt =, n =, seed =, ...})  -- Linux's rules
--
-- Handshake latency under independent loss p in each direction
-- (Cardwell, Savage and Anderson, "Modeling TCP latency", INFOCOM 2000),
-- in the truncated form that matches synack's retransmission behaviour.
-- The client retransmits its SYN after Ts, 2Ts, 4Ts, ... (at most Rc
-- times, giving up Ts(2^(Rc+1) - 1) after the first).  A server in
-- SYN_RECEIVED retransmits its SYN-ACK on its own doubling timer from Ts
-- (at most Rs times, then the record goes back to LISTEN) and answers a
-- retransmitted SYN with a bare ACK (RFC 9293's sequence check), which does
-- not help the client.  So the handshake is Cardwell's two sequential
-- phases, SYN then SYN-ACK: with i SYN losses and j SYN-ACK losses the
-- client is ESTABLISHED at RTT + Ts(2^i - 1) + Ts(2^j - 1).  One addition
-- to the published form: when all Rs + 1 SYN-ACKs are lost, the server is
-- back in LISTEN and a later SYN of the client starts a second SYN-ACK
-- phase.  handshake() enumerates every such path exactly and returns the
-- mean and variance of the handshake time given success, and the
-- probability of failure.
local M = {}

function M.handshake(p, o)
  local rtt, ts, rc, rs = o.rtt, o.ts or 1.0, o.rc or 6, o.rs or 5
  local h = rtt / 2
  local giveup = ts * (2 ^ (rc + 1) - 1)
  local m0, m1, m2 = 0, 0, 0
  -- The server is in LISTEN from `free` on; client SYNs k >= k0 remain;
  -- `w` is the probability of the path so far.
  local function client(k0, free, w)
    for k = k0, rc do
      local arrive = ts * (2 ^ k - 1) + h
      if arrive >= free then
        -- SYN k arrives (prob 1 - p) and opens a SYN-ACK phase
        local wk = w * (1 - p)
        for j = 0, rs do
          local t = arrive + ts * (2 ^ j - 1) + h
          local wj = wk * p ^ j * (1 - p)
          if t <= giveup then
            m0, m1, m2 = m0 + wj, m1 + wj * t, m2 + wj * t * t
          end
        end
        client(k + 1, arrive + ts * (2 ^ (rs + 1) - 1), wk * p ^ (rs + 1))
        w = w * p -- or SYN k is lost
      end
    end
  end
  client(0, 0, 1)
  local mean = m1 / m0
  return mean, m2 / m0 - mean * mean, 1 - m0
end

-- Cardwell's equation (4): unlimited retries, losses pf (SYN) and pr
-- (SYN-ACK) below 1/2.
function M.cardwell(pf, pr, rtt, ts)
  return rtt + ts * ((1 - pr) / (1 - 2 * pr) + (1 - pf) / (1 - 2 * pf) - 2)
end


-- Handshake latency under independent loss with Linux's own rules, by
-- Monte-Carlo (there is no closed form once the server answers the
-- client's retransmitted SYNs):
--
--   local r = models.handshake_mc(p, {rtt =, n =, seed =, ...})
--   r.mean, r.var, r.se, r.fail, r.p50, r.p90, r.p99, r.samples (sorted)
--
-- Options and their defaults (Linux's): rtt (required, s), n = 10000
-- handshakes, seed = 1, pr = p (SYN-ACK loss), rto = 1, rto_max = 120,
-- syn_retries = 6, linear = 4, synack_retries = 5, ratelimit = 0.5,
-- dup_syn_synack = true, race = "timer" (below).  r.mean, r.var and
-- the quantiles are of the handshakes that succeed; r.fail is the
-- fraction that fail.
--
-- An event-driven simulation of the two endpoints' timers only, with its
-- own random stream (SplitMix64 from `seed`), independent of synack's
-- simulator.  The rules, from Linux 6.x:
--   client (tcp_retransmit_timer, tcp_write_timeout): SYN at 0, then on
--     each timeout; the timeout starts at `rto` (TCP_TIMEOUT_INIT, 1 s) and
--     doubles (at most rto_max) after the k-th timeout only when k >
--     `linear` (tcp_syn_linear_timeouts, 4 since 6.5), giving SYNs at 0,
--     1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s.  It gives up at the first timeout
--     that finds syn_retries + linear retransmissions made, or the time
--     budget tcp_model_timeout(syn_retries, rto) spent since the first SYN
--     (127 s by default, which no timeout between 67 and 131 s checks).
--   server, a request sock (tcp_conn_request, reqsk_timer_handler): a SYN
--     with no live request creates one, sends the SYN-ACK and arms its
--     timer at `rto`.  At a timeout with num_timeout >= synack_retries the
--     request is dropped (a later SYN starts a new one); otherwise the
--     SYN-ACK goes again, num_timeout grows by one and the timer is armed
--     at min(rto << num_timeout, rto_max).
--   server, a retransmitted SYN for a live request (tcp_check_req): the
--     SYN-ACK goes again at once and the timer restarts at
--     min(rto << num_timeout, rto_max) from now, unless the previous such
--     answer went less than `ratelimit` ago (tcp_oow_rate_limited with
--     tcp_invalid_ratelimit, 0.5 s): then nothing.  Such an answer does
--     not count as a timeout.  dup_syn_synack = false replaces this with
--     a bare ACK, which does not help the client.
-- Each SYN is lost with probability p, each SYN-ACK with pr (default p),
-- independently.  The client is ESTABLISHED when the first SYN-ACK
-- arrives (its final ACK and what becomes of the server do not matter to
-- it): at the send time of the first SYN-ACK not lost, plus the RTT, if
-- that is before the client gives up; otherwise the handshake fails.
--
-- The SYN-ACK race: the server's timer runs from the arrival of the first
-- SYN, the client's from its sending, and both count whole initial
-- timeouts, so a retransmitted SYN arrives at the very instant the
-- server's timer expires (at 1, 3 and 7 s after the first SYN, and later
-- after restarts).  Linux leaves the order to chance (the two hosts'
-- clocks and timer slack); `race` chooses it: "timer" (the timer
-- first: its SYN-ACK, then the SYN's own, which restarts the timer with
-- the doubled timeout), "syn" (the SYN first: one SYN-ACK, the timer
-- restarted with the old timeout) or "coin" (a fair coin for each tie).
-- Times are counted in integer nanoseconds so that ties are exact.
local NS = 1000000000

local function ns(t)
  return math.floor(t * NS + 0.5)
end

-- SplitMix64: a stream of its own, 53-bit uniforms in [0, 1).
local function splitmix(seed)
  local s = math.tointeger(seed) or error("handshake_mc: seed must be an integer", 3)
  return function()
    s = s + 0x9E3779B97F4A7C15
    local z = s
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = z ~ (z >> 31)
    return (z >> 11) * 2.0 ^ -53
  end
end

-- Linux's tcp_model_timeout: the time `boundary` backoffs from `base`
-- take, doubling until rto_max and linear from there.
local function model_timeout(boundary, base, rto_max)
  local thresh = 0
  while (base << (thresh + 1)) <= rto_max do
    thresh = thresh + 1
  end
  if boundary <= thresh then
    return ((2 << boundary) - 1) * base
  end
  return ((2 << thresh) - 1) * base + (boundary - thresh) * rto_max
end

-- The client's SYN send times and when it gives up, in nanoseconds.
local function syn_schedule(o)
  local rto, rto_max = ns(o.rto), ns(o.rto_max)
  local budget = model_timeout(o.syn_retries, rto, rto_max)
  local sends, t, max = {0}, 0, o.syn_retries + o.linear
  for k = 1, math.huge do
    t = t + rto
    -- the k-th timeout: expired by count or by time?
    if k > max or t >= budget then
      return sends, t
    end
    sends[#sends + 1] = t
    if k > o.linear then
      rto = math.min(2 * rto, rto_max)
    end
  end
end

-- Linear interpolation between the closest ranks (synack.summary's rule).
function M.quantile(sorted, q)
  local n = #sorted
  if n == 0 then
    return nil
  end
  local h = (n - 1) * q
  local i = math.floor(h)
  if q <= 0 or n == 1 then
    return sorted[1]
  end
  if i + 1 >= n then
    return sorted[n]
  end
  return sorted[i + 1] + (h - i) * (sorted[i + 2] - sorted[i + 1])
end

-- One handshake: its time in seconds, or nil when it fails.
local function one(rnd, o, sends, giveup)
  local p, pr, rto, rto_max = o.p, o.pr, ns(o.rto), ns(o.rto_max)
  local gap, rtt = ns(o.ratelimit), ns(o.rtt)
  -- Server times are taken at the client's clock plus the one-way delay
  -- of a SYN, so only the RTT enters the client's time.
  local k = 1             -- the client's next SYN
  local live = false      -- a request sock exists
  local nt, timer, oow    -- its num_timeout, timer, last answered dup SYN
  -- a SYN-ACK sent at t: the handshake's time, or nil if it is lost
  local function synack(t)
    if rnd() >= pr then
      return t + rtt
    end
  end
  while true do
    local ta = sends[k] or math.huge
    local tt = live and timer or math.huge
    if ta == math.huge and tt == math.huge then
      return nil
    end
    local syn = ta < tt or (ta == tt and (o.race == "syn" or (o.race == "coin" and rnd() < 0.5)))
    local now = syn and ta or tt
    local done
    if syn then
      k = k + 1
      if rnd() >= p then
        if not live then
          live, nt, timer, oow = true, 0, now + rto, nil
          done = synack(now)
        elseif o.dup_syn_synack and not (oow and now - oow < gap) then
          oow = now
          done = synack(now)
          timer = now + math.min(rto << nt, rto_max)
        end
      end
    elseif nt >= o.synack_retries then
      live = false
    else
      done = synack(now)
      nt = nt + 1
      timer = now + math.min(rto << nt, rto_max)
    end
    if done then
      -- constant delays: the first SYN-ACK through is the first to arrive
      if done < giveup then
        return done / NS
      end
      return nil
    end
    if now >= giveup then
      return nil
    end
  end
end

function M.handshake_mc(p, o)
  o = o or {}
  local c = {
    p = p, pr = o.pr or p, rtt = o.rtt or error("handshake_mc: rtt is required", 2),
    n = o.n or 10000, seed = o.seed or 1, rto = o.rto or 1.0, rto_max = o.rto_max or 120,
    syn_retries = o.syn_retries or 6, linear = o.linear or 4, synack_retries = o.synack_retries or 5,
    ratelimit = o.ratelimit or 0.5, race = o.race or "timer",
  }
  c.dup_syn_synack = o.dup_syn_synack ~= false
  if c.race ~= "timer" and c.race ~= "syn" and c.race ~= "coin" then
    error("handshake_mc: race must be \"timer\", \"syn\" or \"coin\"", 2)
  end
  local rnd = splitmix(c.seed)
  local sends, giveup = syn_schedule(c)
  local samples, sum, sum2 = {}, 0, 0
  for _ = 1, c.n do
    local t = one(rnd, c, sends, giveup)
    if t then
      samples[#samples + 1] = t
      sum, sum2 = sum + t, sum2 + t * t
    end
  end
  table.sort(samples)
  local ok = #samples
  local mean = ok > 0 and sum / ok or nil
  local var = ok > 1 and (sum2 - ok * mean * mean) / (ok - 1) or nil
  return {
    n = c.n, ok = ok, fail = 1 - ok / c.n, mean = mean, var = var,
    se = var and math.sqrt(var / ok), samples = samples,
    p50 = M.quantile(samples, 0.5), p90 = M.quantile(samples, 0.9), p99 = M.quantile(samples, 0.99),
  }
end

-- Two-sample Kolmogorov-Smirnov statistic of two sorted samples: the
-- largest distance between their empirical distribution functions.
-- Values within `eps` of each other count as equal (ties are stepped
-- over together).
function M.ks2(a, b, eps)
  eps = eps or 0
  local n, m, i, j, d = #a, #b, 1, 1, 0
  while i <= n or j <= m do
    local x = math.min(a[i] or math.huge, b[j] or math.huge)
    while i <= n and a[i] <= x + eps do
      i = i + 1
    end
    while j <= m and b[j] <= x + eps do
      j = j + 1
    end
    d = math.max(d, math.abs((i - 1) / n - (j - 1) / m))
  end
  return d
end

-- The two-sample KS statistic's critical value at significance alpha
-- (the asymptotic c(alpha) sqrt((n + m) / (n m))); with ties in the
-- data, as here, the test is conservative.
function M.ks_critical(n, m, alpha)
  return math.sqrt(-0.5 * math.log(alpha / 2)) * math.sqrt((n + m) / (n * m))
end

return M
