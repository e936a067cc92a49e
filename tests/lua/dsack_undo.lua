-- D-SACK (RFC 2883, the timer profile's `dsack`) and the undo of spurious
-- fast recoveries (RFC 3708, `dsack_undo`) as a validation experiment: a
-- bulk transfer from a `linux` sender (newreno, SACK) over a 20 ms RTT
-- whose forward path holds back 1 % of the packets by 3 ms (loss/reorder:
-- reordering, nothing is lost).  Each packet held back lets three later
-- ones be SACKed first, so the sender retransmits it and halves cwnd;
-- then the original arrives, and the retransmission after it, which the
-- receiver reports in a D-SACK block.  With the undo every such recovery
-- is found spurious and cwnd and ssthresh come back: the goodput is
-- better than with the reductions left in place.  Without the receiver's
-- D-SACKs (its `dsack` off) the sender learns nothing, as without undo.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local MSS, BYTES = 1000, 5000000

local function run(undo, dsack)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms", queue = {"droptail", limit = 1000},
    ab = {loss = {"reorder", p = 0.01, delay = "3ms"}}})
  local sm = {"rfc9293", mss = MSS, timestamps = false, rcvbuf = 8000000}
  local got = 0
  b:tcp{state_machine = sm, timers = {"linux", dsack = dsack}}:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
  end)
  local c = a:tcp{state_machine = sm, timers = {"linux", dsack_undo = undo}, cc = "newreno"}:connect(b, 80)
  local t0, done
  c:on("established", function(conn)
    t0 = sim:now()
    conn:send(BYTES)
  end)
  c:on("sent", function() done = done or sim:now() end)
  sim:run{stop = 600}
  check(t0 and done, "undo=%s dsack=%s: the transfer did not complete", tostring(undo), tostring(dsack))
  eq(got, BYTES, "bytes received")
  return BYTES * 8 / (done - t0) / 1e6, c.stats
end

local g_on, st_on = run(true, true)
local g_off, st_off = run(false, true)
local g_nod, st_nod = run(true, false)
print(("1 %% reordered by 3 ms: goodput with undo %.1f Mbit/s (%d recoveries, %d D-SACKs, %d undone), "
  .. "without %.1f Mbit/s (%d recoveries, %d D-SACKs), receiver without D-SACK %.1f Mbit/s")
  :format(g_on, st_on.fast_retransmits, st_on.dsacks_received, st_on.dsack_undos,
    g_off, st_off.fast_retransmits, st_off.dsacks_received, g_nod))
check(st_on.fast_retransmits >= 5, "undo: only %d fast recoveries", st_on.fast_retransmits)
-- every recovery here is spurious: most are undone
check(st_on.dsack_undos >= st_on.fast_retransmits * 0.6, "undo: %d of %d recoveries undone",
  st_on.dsack_undos, st_on.fast_retransmits)
check(st_on.dsacks_received >= st_on.dsack_undos, "undo: D-SACKs %d", st_on.dsacks_received)
eq(st_on.timeouts, 0, "undo: timeouts")
eq(st_off.dsack_undos, 0, "no undo: undos")
check(st_off.dsacks_received >= 5, "no undo: the receiver's D-SACKs still arrive (%d)", st_off.dsacks_received)
eq(st_nod.dsacks_received, 0, "receiver without D-SACK: D-SACKs received")
eq(st_nod.dsack_undos, 0, "receiver without D-SACK: undos")
-- the undo wins back part of each reduction only: the next packet held
-- back often starts a recovery before the D-SACK of the last one is in
-- (RACK's reo_wnd stays 0 until it sees reordering, which a spurious
-- retransmission of the lowest hole does not show)
check(g_on > 1.05 * g_off, "undo: %.1f Mbit/s, not 5 %% above %.1f without", g_on, g_off)
check(g_on > 1.05 * g_nod, "undo: %.1f Mbit/s, not 5 %% above %.1f without D-SACKs", g_on, g_nod)
