-- F-RTO (RFC 5682, the timer profile's `frto`) and the Eifel undo
-- (RFC 3522/4015, `ts_undo`) as a validation experiment: a bulk transfer
-- from a `linux` sender (newreno, SACK) over a 20 ms RTT, 10 Mbit/s path (the receiver's 40 kB window keeps the queue short)
-- whose both directions stall for 600 ms every 2 s (loss/spike: a
-- handover that buffers; nothing is lost).  Each stall outlasts the RTO
-- (about 220 ms), so the sender times out and sends the first segment
-- again; then the ACKs of the originals come.  Without either detection
-- the sender goes back and sends again everything the spike held (RFC
-- 6298 5.4, go-back-N) from a cwnd of one segment; with F-RTO the first
-- of those ACKs acknowledges data never sent again, the timeout is found
-- spurious and cwnd and ssthresh come back; with timestamps and Eifel the
-- echo of the original's TSval shows the same.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local MSS, SPIKES, START, EVERY, LEN = 1000, 4, 1, 2, 0.6

local function run(frto, ts_undo, timestamps)
  local sim = synack.simulator{seed = 5}
  local a, b = sim:node("a"), sim:node("b")
  local spike = {"spike", start = START .. "s", every = EVERY .. "s", length = math.floor(LEN * 1000) .. "ms"}
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms", queue = {"droptail", limit = 100},
    ab = {loss = spike}, ba = {loss = spike}})
  local sm = {"rfc9293", mss = MSS, timestamps = timestamps, rcvbuf = 40000}
  local got = 0
  b:tcp{state_machine = sm, timers = "rfc"}:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
  end)
  local c = a:tcp{state_machine = sm, timers = {"linux", frto = frto, ts_undo = ts_undo},
    cc = "newreno"}:connect(b, 80)
  local cw = {}
  c:on("established", function(conn)
    conn:send(1000000000)
    conn:sample("cwnd", 0.01, function(t, v) cw[#cw + 1] = {t, v} end)
  end)
  sim:run{stop = START + (SPIKES - 1) * EVERY + 1.5}
  -- cwnd just before each spike and 200 ms after it ends, in segments
  local before, after = 0, 0
  for k = 0, SPIKES - 1 do
    local s = START + k * EVERY
    local b4, af
    for _, p in ipairs(cw) do
      if p[1] <= s - 0.005 then b4 = p[2] end
      if p[1] <= s + LEN + 0.2 then af = p[2] end
    end
    before, after = before + b4 / MSS, after + af / MSS
  end
  return c.stats, before / SPIKES, after / SPIKES, got
end

local st_f, b_f, a_f, got_f = run(true, false, false)
local st_n, b_n, a_n, got_n = run(false, false, false)
local st_e, b_e, a_e, got_e = run(false, true, true)
print(("%d spikes of %d ms: F-RTO: %d timeouts, %d spurious, %d retransmissions, cwnd %.1f before, %.1f after, %.1f MB; "
  .. "go-back-N: %d timeouts, %d retransmissions, cwnd %.1f before, %.1f after, %.1f MB; "
  .. "Eifel: %d timeouts, %d undone, %d retransmissions, cwnd %.1f before, %.1f after, %.1f MB")
  :format(SPIKES, LEN * 1000, st_f.timeouts, st_f.frto_spurious, st_f.retransmissions, b_f, a_f, got_f / 1e6,
    st_n.timeouts, st_n.retransmissions, b_n, a_n, got_n / 1e6,
    st_e.timeouts, st_e.ts_undos, st_e.retransmissions, b_e, a_e, got_e / 1e6))
for _, st in ipairs{st_f, st_n, st_e} do
  check(st.timeouts >= SPIKES, "only %d timeouts for %d spikes", st.timeouts, SPIKES)
end
-- F-RTO: every spike's timeout found spurious, nearly nothing sent again
check(st_f.frto_spurious >= SPIKES, "F-RTO: %d spurious of %d spikes", st_f.frto_spurious, SPIKES)
eq(st_f.ts_undos, 0, "F-RTO without timestamps: timestamp undos")
check(st_f.retransmissions * 5 <= st_n.retransmissions,
  "F-RTO: %d retransmissions, not a fifth of go-back-N's %d", st_f.retransmissions, st_n.retransmissions)
check(a_f >= 0.8 * b_f, "F-RTO: cwnd %.1f after the spikes, %.1f before", a_f, b_f)
-- go-back-N: the reduction stays
eq(st_n.frto_spurious + st_n.ts_undos, 0, "go-back-N: undos")
check(a_n <= 0.5 * b_n, "go-back-N: cwnd %.1f after the spikes, %.1f before", a_n, b_n)
-- Eifel: the same, from the timestamps
check(st_e.ts_undos >= SPIKES, "Eifel: %d undone of %d spikes", st_e.ts_undos, SPIKES)
eq(st_e.frto_spurious, 0, "Eifel without F-RTO: F-RTO undos")
check(st_e.retransmissions * 5 <= st_n.retransmissions,
  "Eifel: %d retransmissions, not a fifth of go-back-N's %d", st_e.retransmissions, st_n.retransmissions)
check(a_e >= 0.8 * b_e, "Eifel: cwnd %.1f after the spikes, %.1f before", a_e, b_e)
check(got_f > got_n and got_e > got_n, "goodput: F-RTO %d, Eifel %d, go-back-N %d bytes", got_f, got_e, got_n)
