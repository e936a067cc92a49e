-- RFC 5961 section 7: one spoofed segment must not start an endless ACK
-- exchange.  100 bytes "from the client" that the client never sent land in
-- the server's window: the server acknowledges them, an ACK of data the
-- client never sent, which the client answers with an ACK (RFC 5961 5.2);
-- that ACK's sequence number is now below the server's RCV.NXT, so the
-- server answers it with an ACK (RFC 9293 3.10.7.4), and so on.  Each
-- endpoint answers such segments at most once per invalid_ack_ratelimit,
-- so the exchange dies out and the run ends.  Bounded: without the limit
-- the run would go on until its stop, which the test notices.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

-- Returns how the run ended and the segments both ends sent after the
-- spoofed one.
local function storm(timers, delay)
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = delay})
  local ta, tb = a:tcp{timers = timers}, b:tcp{timers = timers}
  local sconn
  tb:listen(80, function(c) sconn = c end)
  local c = ta:connect(b, 80)
  c:on("established", function(conn) conn:send(1000) end)
  local before
  sim:at(1, function()
    local s = sconn.stats
    before = s.segments_out + c.stats.segments_out
    a:send_raw{to = b, size = 140, tcp = {sport = c.stats.lport, dport = 80,
      seq = s.rcv_nxt, ack = s.snd_nxt, flags = "ACK"}}
  end)
  local how = sim:run{stop = 20}
  eq(c.state, "ESTABLISHED", "client state")
  eq(sconn.state, "ESTABLISHED", "server state")
  return how, sconn.stats.segments_out + c.stats.segments_out - before, c, sconn
end

for _, timers in ipairs({"rfc", "linux"}) do
  -- The default limit, 500 ms, and an RTT of 2 ms: the server's ACK of
  -- the spoofed bytes, one answer from each side, and no more.
  local how, n, c, sconn = storm(timers, "1ms")
  eq(how, "empty", timers .. ": the run ended by itself")
  check(c.stats.invalid_acks_suppressed + sconn.stats.invalid_acks_suppressed >= 1,
        "%s: no answer was counted as suppressed", timers)
  check(n <= 4, "%s: %d segments after the spoofed one", timers, n)
  check(n >= 2, "%s: the spoofed segment was acknowledged and answered (%d)", timers, n)
  -- The limit off: the exchange goes on until the run is stopped.
  how, n = storm({timers, invalid_ack_ratelimit = 0}, "1ms")
  eq(how, "until", timers .. ", no limit: the run was stopped")
  check(n > 1000, "%s, no limit: only %d segments in 19 s", timers, n)
  -- Any limit longer than the RTT ends it (a shorter one only slows the
  -- exchange to one answer per RTT on each side, as in Linux).
  how, n = storm({timers, invalid_ack_ratelimit = "50ms"}, "1ms")
  eq(how, "empty", timers .. ", 50 ms: the run ended by itself")
  check(n <= 4, "%s, 50 ms: %d segments after the spoofed one", timers, n)
end
