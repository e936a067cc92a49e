-- The retry limits of the timer profiles against a peer that answers the
-- handshake and then nothing (or only zero windows): when a connection
-- gives up.  Under `linux` the limits are time budgets counted from the
-- first retransmission (retries_by_time, orphan_retries,
-- user_timeout_probes), as a Linux 6.18 kernel showed with
-- tests/packetdrill/retries2_time.pkt and user_timeout_start.pkt; the
-- expected times are computed here from the backoff rule, timeout by
-- timeout, from the RTO the connection had when its data (or FIN) went.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

-- The time n retransmissions and the timeout after the last take when
-- the first timeout is rto_min and each next one doubles, at most rto_max.
local function budget(n, rto_min, rto_max)
  local t, iv = 0, rto_min
  for _ = 0, n do
    t = t + iv
    iv = math.min(2 * iv, rto_max)
  end
  return t
end

-- Timeouts from t0 every iv, iv doubling up to rto_max; the first one
-- retransmits and starts the clock (t1); at each later one the connection
-- ends once the time since t1 reaches limit(iv) (iv: the timeout that
-- just ran out); with uto, a timer fires no later than t1 + uto.  Gives
-- the end and the retransmissions made.
local function give_up(t0, r, rto_max, limit, uto)
  local t, iv, k, t1 = t0 + r, r, 0, nil
  while true do
    if k > 0 and t - t1 >= limit(iv) - 1e-9 then return t, k end
    if k == 0 then t1 = t end
    k = k + 1
    iv = math.min(2 * iv, rto_max)
    t = uto and math.min(t + iv, t1 + uto) or t + iv
  end
end

-- A connection from a to a peer b that answers the SYN (with `window`),
-- then answers nothing but probes (with a zero window).
local function setup(timers, delay, window)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = delay})
  b:on_receive("tcp", function(p)
    if p.flags == "S" then
      b:send_raw{to = a, size = 40, tcp = {sport = 80, dport = p.sport, seq = 1000,
        ack = p.seq + 1, flags = "SYN+ACK", window = window}}
    elseif window == 0 then
      b:send_raw{to = a, size = 40, tcp = {sport = 80, dport = p.sport, seq = 1001,
        ack = p.seq, flags = "ACK", window = 0}}
    end
  end)
  local c = a:tcp{timers = timers}:connect(b, 80)
  local o = {sim = sim, c = c}
  c:on("established", function() o.established = sim:now() end)
  c:on("closed", function(_, why)
    o.closed, o.why = sim:now(), why
  end)
  return o
end

local function near(got, want, what)
  check(got and math.abs(got - want) < 1e-6, "%s: %s, expected %.9f", what, tostring(got), want)
end

-- 1. Data to a black hole: retries2 = 15 is 924.6 s from rto_min 200 ms,
-- whatever the RTT; with a short RTT that is 15 retransmissions, with a
-- long one fewer.
for _, delay in ipairs{"1ms", "500ms"} do
  local o = setup("linux", delay, 65535)
  local t0, r
  o.sim:at(5, function()
    o.c:send(1000)
    t0, r = o.sim:now(), o.c:info().rto
  end)
  o.sim:run{stop = 3000}
  local b15 = budget(15, 0.2, 120)
  near(b15, 924.6, "the retries2 budget")
  local want, k = give_up(t0, r, 120, function() return b15 end)
  eq(o.why, "timeout", delay .. ": gave up")
  near(o.closed, want, delay .. ": gave up at")
  eq(o.c.stats.timeouts, k, delay .. ": retransmissions before giving up")
  if delay == "1ms" then
    eq(k, 15, "a short RTT: as many as retries2")
    -- from the first retransmission: 924.6 s and what the RTO is above
    -- rto_min, 1022 times (the timeouts after the first)
    check(o.closed - t0 - r >= 924.6 and o.closed - t0 - r < 924.6 + 1022 * (r - 0.2) + 1e-6,
          "924.6 s and the RTO's excess: %f (RTO %f)", o.closed - t0 - r, r)
  else
    check(k < 15, "a long RTT: fewer than retries2 (%d)", k)
  end
end

-- 2. The same under rfc: 6 retransmissions, counted.
do
  local o = setup("rfc", "1ms", 65535)
  o.sim:at(5, function() o.c:send(1000) end)
  o.sim:run{stop = 3000}
  eq(o.why, "timeout", "rfc: gave up")
  eq(o.c.stats.timeouts, 6, "rfc: data_retries retransmissions")
end

-- 3. An orphan's FIN: tcp_orphan_retries 0 means 8 while the RTO is below
-- rto_max (102.2 s), and 0 once it reached it.
for _, rto_max in ipairs{120, 3} do
  local o = setup({"linux", rto_max = rto_max .. "s"}, "1ms", 65535)
  local t0, r
  o.sim:at(5, function()
    o.c:close()
    t0, r = o.sim:now(), o.c:info().rto
  end)
  o.sim:run{stop = 3000}
  local want, k = give_up(t0, r, rto_max, function(iv)
    return budget(iv < rto_max and 8 or 0, 0.2, rto_max)
  end)
  eq(o.why, "timeout", "orphan: gave up")
  near(o.closed, want, "orphan (rto_max " .. rto_max .. " s): gave up at")
  eq(o.c.stats.timeouts, k, "orphan: FIN retransmissions")
  if rto_max == 120 then eq(k, 8, "an orphan: 8 retransmissions") end
end

-- 4. The user timeout instead of retries2: it counts from the first
-- retransmission, so never ends a connection before one, and the timer
-- fires at its end.
for _, uto in ipairs{0.1, 3, 2000} do
  local o = setup("linux", "1ms", 65535)
  local t0, r
  o.sim:at(5, function()
    o.c:set{user_timeout = uto}
    o.c:send(1000)
    t0, r = o.sim:now(), o.c:info().rto
  end)
  o.sim:run{stop = 3000}
  local want, k = give_up(t0, r, 120, function() return uto end, uto)
  eq(o.why, "timeout", "user timeout: gave up")
  near(o.closed, want, "user timeout " .. uto .. " s: gave up at")
  eq(o.c.stats.timeouts, k, "user timeout: retransmissions")
end

-- 5. A zero window: the probes are answered, so only the user timeout
-- ends the connection, that long after the first probe; without it, the
-- sender probes on.
for _, uto in ipairs{5, 0} do
  local o = setup("linux", "1ms", 0)
  local t0, r
  o.sim:at(5, function()
    o.c:set{user_timeout = uto}
    o.c:send(1000)
    t0, r = o.sim:now(), o.c:info().rto
  end)
  o.sim:run{stop = 100}
  if uto > 0 then
    eq(o.why, "timeout", "zero window: the user timeout ended it")
    near(o.closed, t0 + r + uto, "zero window: gave up at")
  else
    eq(o.c.state, "ESTABLISHED", "zero window without a user timeout: still probing")
  end
  check(o.c.stats.zero_window_probes >= 2, "zero window probes: %d", o.c.stats.zero_window_probes)
end

-- 6. Keepalive: with a user timeout the end comes once a probe went
-- unanswered and the user timeout has passed since the last segment
-- received, whatever keepalive_probes says.
for _, uto in ipairs{12, 0} do
  local o = setup("linux", "1ms", 65535)
  o.c:on("established", function(c)
    o.established = o.sim:now()
    c:set{keepalive = true, keepidle = 10, keepintvl = "5s", keepcnt = 9, user_timeout = uto}
  end)
  o.sim:run{stop = 200}
  eq(o.why, "keepalive timeout", "keepalive gave up")
  -- probes at 10, 15, 20 ... s after the last segment
  local want = uto > 0 and 15 or 10 + 9 * 5
  near(o.closed - o.established, want, "keepalive (user timeout " .. uto .. "): gave up after")
end
