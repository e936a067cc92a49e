-- Tail Loss Probe (RFC 8985 7, the timer profile's `tlp`) as a validation
-- experiment: a 10-segment transfer from a `linux` sender over a 60 ms
-- RTT loses its last segment, to a receiver that acknowledges every second
-- segment and delays the ACK of an odd one by 200 ms (the `rfc` profile:
-- RFC 1122 4.2.3.2, no quick-ACK mode).  The ACK of segment 8 leaves two
-- segments out, so the probe timeout is 2 SRTT + 2 ms: the probe (the
-- last segment again) fills the hole and its ACK ends the transfer about
-- one RTT later, before the delayed ACK of segment 9 would even arrive.
-- Without the probe the sender waits for the RTO, restarted by that
-- delayed ACK, then goes back to SND.UNA.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local MSS, SEGS = 1000, 10
local DELAY = 0.030               -- one way: RTT 60 ms
local RTT = 2 * DELAY

-- One transfer; gives the time from the send to the ACK of the last byte,
-- the sender's stats, and the time the last ACK before the probe came.
local function transfer(tlp)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "1Gbps", delay = DELAY * 1e3 .. "ms",
    ab = {loss = {"match", has_data = "yes", direction = "forward", nth = SEGS, count = 1}}})
  local sm = {"rfc9293", mss = MSS, timestamps = false}
  local got = 0
  b:tcp{state_machine = sm, timers = "rfc"}:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
  end)
  local c = a:tcp{state_machine = sm, timers = {"linux", tlp = tlp}}:connect(b, 80)
  local t0, done
  c:on("established", function(conn)
    t0 = sim:now()
    conn:send(SEGS * MSS)
  end)
  c:on("sent", function() done = done or sim:now() end)
  sim:run{stop = 30}
  check(t0 and done, "tlp=%s: the transfer did not complete", tostring(tlp))
  eq(got, SEGS * MSS, ("tlp=%s: bytes received"):format(tostring(tlp)))
  return done - t0, c.stats, c:info()
end

local on, st_on, info = transfer(true)
local off, st_off = transfer(false)
print(("recovery (send to last ACK): tlp on %.1f ms, off %.1f ms; srtt %.1f ms, rto %.1f ms")
  :format(on * 1e3, off * 1e3, info.srtt * 1e3, info.rto * 1e3))

eq(st_on.tlp_probes, 1, "tlp on: probes")
eq(st_on.timeouts, 0, "tlp on: timeouts")
eq(st_on.retransmissions, 1, "tlp on: retransmissions (the probe)")
eq(st_off.tlp_probes, 0, "tlp off: probes")
check(st_off.timeouts >= 1, "tlp off: no timeout (%d)", st_off.timeouts)
-- With the probe: the first RTT brings the ACK of segment 8, the probe
-- goes 2 SRTT + 2 ms later (SRTT is the RTT here: every sample is one),
-- and its ACK one RTT after that: 4 RTT + 2 ms, a millisecond of slack
-- for serialization.
local bound = RTT + (2 * RTT + 0.002) + RTT + 0.001
check(on <= bound, "tlp on: recovery %.4f s, more than RTT + PTO + RTT = %.4f s", on, bound)
check(on >= bound - 0.003, "tlp on: recovery %.4f s, sooner than a probe allows (%.4f s)", on, bound)
-- Without it: at least the RTO (200 ms at least in this profile, from
-- the delayed ACK of segment 9 at RTT + 200 ms) and an RTT more.
check(off >= RTT + 0.200 + 0.200 + RTT, "tlp off: recovery %.4f s, sooner than an RTO allows", off)
check(on < off / 2, "tlp on (%.4f s) not much sooner than off (%.4f s)", on, off)
