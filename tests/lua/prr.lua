-- Proportional Rate Reduction (RFC 9937, the timer profile's `prr`) as a
-- validation experiment.
--
-- 1. Smoothness.  A 300-segment transfer from a `linux` sender (newreno,
-- SACK) over a 20 ms RTT loses six segments in a row once cwnd is about
-- 40 segments.  Without PRR (RFC 6675 alone) cwnd drops to ssthresh at
-- once and the sender, after the first retransmission, sends
-- nothing until pipe has fallen below ssthresh, a silence of half the
-- flight's ACKs.  With PRR one segment goes per two ACKs from the start,
-- and no ACK lets out more than two segments.
--
-- 2. Timeouts.  Bulk transfers over a path with 3 % random loss, several
-- seeds: PRR keeps the ACK clock going through recovery, so the sender
-- needs no more retransmission timeouts than without it (with a margin),
-- and the goodput is no worse.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local MSS = 1000

local function run(prr, opts)
  local sim = synack.simulator{seed = opts.seed or 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = opts.rate or "100Mbps", delay = "10ms",
    queue = {"droptail", limit = 1000}, ab = {loss = opts.loss}})
  local rec = opts.record and sim:record()
  local sm = {"rfc9293", mss = MSS, timestamps = false, rcvbuf = 4000000}
  local got = 0
  b:tcp{state_machine = sm, timers = "linux"}:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
  end)
  local c = a:tcp{state_machine = sm, timers = {"linux", prr = prr}, cc = "newreno"}:connect(b, 80)
  local t0, done
  c:on("established", function(conn)
    t0 = sim:now()
    conn:send(opts.bytes)
  end)
  c:on("sent", function() done = done or sim:now() end)
  sim:run{stop = 600}
  check(t0 and done, "prr=%s: the transfer did not complete", tostring(prr))
  eq(got, opts.bytes, ("prr=%s: bytes received"):format(tostring(prr)))
  return done - t0, c.stats, rec
end

-- The most data segments the sender sent at one instant during recovery:
-- from the first retransmission to the first ACK covering what had been
-- sent before it (and what that ACK let out).
local function recovery_burst(rec)
  local segs = rec:segments{connection = 1}
  local top, t_rtx, recover
  local data = {}
  for _, s in ipairs(segs) do
    if s.dir == "c>s" and s.len > 0 then data[#data + 1] = s end
  end
  for _, s in ipairs(data) do
    if top and s.seq < top and not t_rtx then
      t_rtx, recover = s.sent, top
    end
    if not top or s.seq + s.len > top then top = s.seq + s.len end
  end
  check(t_rtx, "no retransmission recorded")
  local t_end = math.huge
  for _, s in ipairs(segs) do
    if s.dir == "s>c" and s.arrived and s.arrived >= t_rtx and s.ack >= recover and s.arrived < t_end then
      t_end = s.arrived
    end
  end
  local at, most, gap, last = {}, 0, 0, nil
  for _, s in ipairs(data) do
    if s.sent >= t_rtx and s.sent <= t_end then
      at[s.sent] = (at[s.sent] or 0) + 1
      if at[s.sent] > most then most = at[s.sent] end
      -- the wait for the first send after the fast retransmission
      if not last and s.sent > t_rtx then gap, last = s.sent - t_rtx, s.sent end
    end
  end
  return most, gap, t_end - t_rtx
end

-- 1. six losses in a row (packets 90 to 95 of the forward direction)
local burst_opts = {bytes = 300 * MSS, record = true, loss = {"list", drop = "90-95"}}
local _, st_on, rec_on = run(true, burst_opts)
local _, st_off, rec_off = run(false, burst_opts)
local b_on, g_on, d_on = recovery_burst(rec_on)
local b_off, g_off, d_off = recovery_burst(rec_off)
print(("six losses: in recovery, most segments sent at one instant: prr %d, without %d; "
  .. "first send after the fast retransmission: prr %.2f ms, without %.2f ms (recovery %.1f ms, %.1f ms)")
  :format(b_on, b_off, g_on * 1e3, g_off * 1e3, d_on * 1e3, d_off * 1e3))
eq(st_on.timeouts, 0, "prr on: timeouts")
eq(st_off.timeouts, 0, "prr off: timeouts")
check(b_on <= 2, "prr on: %d segments sent at one instant in recovery (at most 2)", b_on)
-- one segment per two ACKs from the start: the ACKs come every 83 us
-- (1040 bytes at 100 Mbps), so no silence much longer than two of them;
-- without PRR nothing goes until pipe has fallen below ssthresh
check(g_on < 0.0005, "prr on: %.2f ms before the next send in recovery", g_on * 1e3)
check(g_off > 4 * g_on, "prr off: %.2f ms before the next send, not 4 x prr's %.2f ms",
  g_off * 1e3, g_on * 1e3)

-- 2. random loss, several seeds
local function lossy(prr)
  local timeouts, time = 0, 0
  for seed = 1, 6 do
    local t, st = run(prr, {seed = seed, bytes = 2000 * MSS, rate = "20Mbps",
      loss = {"bernoulli", p = 0.03}})
    timeouts, time = timeouts + st.timeouts, time + t
  end
  return timeouts, time
end
local to_on, t_on = lossy(true)
local to_off, t_off = lossy(false)
print(("3 %% loss, 6 seeds x 2 MB: timeouts prr %d, without %d; time %.2f s vs %.2f s")
  :format(to_on, to_off, t_on, t_off))
check(to_on <= to_off, "prr on: %d timeouts, more than without (%d)", to_on, to_off)
check(t_on <= t_off * 1.05, "prr on: %.2f s, slower than without (%.2f s)", t_on, t_off)
