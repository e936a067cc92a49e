-- RACK (RFC 8985 6, the timer profile's `rack`) as a validation
-- experiment: a bulk transfer from a `linux` sender (newreno, SACK) over
-- a 20 ms RTT whose forward path holds back 1 % of the packets by 3 ms
-- (loss/reorder): at 100 Mbit/s about 37 later packets overtake each one
-- held back (a reordering degree of 37), and nothing is lost.  With the
-- duplicate-ACK threshold (rack off) every packet held back is
-- retransmitted for nothing once three later ones are SACKed.  RACK
-- does so only until it has seen reordering: from then on a hole waits
-- RACK.rtt + min_rtt / 4 (5 ms) after its send time, and the late packet
-- arrives within it.  Every retransmission here is spurious (the path
-- loses nothing), so the counts are the spurious ones; RACK's must be far
-- fewer.  The D-SACKs of the first spurious retransmissions also widen
-- its window (reo_wnd_steps, rack_reo_wnd_grown).
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local MSS, BYTES = 1000, 5000000

local function run(rack)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms", queue = {"droptail", limit = 1000},
    ab = {loss = {"reorder", p = 0.01, delay = "3ms"}}})
  local sm = {"rfc9293", mss = MSS, timestamps = false, rcvbuf = 400000}
  local got = 0
  b:tcp{state_machine = sm, timers = "linux"}:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
  end)
  local c = a:tcp{state_machine = sm, timers = {"linux", rack = rack}, cc = "newreno"}:connect(b, 80)
  local t0, done
  c:on("established", function(conn)
    t0 = sim:now()
    conn:send(BYTES)
  end)
  c:on("sent", function() done = done or sim:now() end)
  sim:run{stop = 600}
  check(t0 and done, "rack=%s: the transfer did not complete", tostring(rack))
  eq(got, BYTES, "bytes received")
  return BYTES * 8 / (done - t0) / 1e6, c.stats
end

local g_on, on = run(true)
local g_off, off = run(false)
print(("1 %% held back 3 ms: rack on: %d retransmissions, %d D-SACKs, %d recoveries, "
  .. "%d marked lost (%d by the reordering timer), reordering seen %d times, window grown %d times, "
  .. "%.1f Mbit/s; rack off: %d retransmissions, %d D-SACKs, %d recoveries, %.1f Mbit/s")
  :format(on.retransmissions, on.dsacks_received, on.fast_retransmits, on.rack_lost,
    on.rack_reo_timeouts, on.rack_reord_seen, on.rack_reo_wnd_grown, g_on,
    off.retransmissions, off.dsacks_received, off.fast_retransmits, g_off))
check(off.retransmissions >= 10, "rack off: only %d retransmissions", off.retransmissions)
check(on.retransmissions * 5 <= off.retransmissions,
  "rack on: %d retransmissions, not a fifth of %d without", on.retransmissions, off.retransmissions)
check(on.dsacks_received * 5 <= off.dsacks_received,
  "rack on: %d D-SACKs, not a fifth of %d without", on.dsacks_received, off.dsacks_received)
check(on.rack_reord_seen >= 10, "rack on: reordering seen only %d times", on.rack_reord_seen)
eq(off.rack_lost, 0, "rack off: segments RACK marked lost")
eq(off.rack_reord_seen, 0, "rack off: reordering seen")
eq(on.timeouts, 0, "rack on: timeouts")
eq(off.timeouts, 0, "rack off: timeouts")
check(g_on >= g_off, "rack on: %.1f Mbit/s below %.1f without", g_on, g_off)
