-- refused.lua: a SYN to a closed port is answered with a reset.
--
-- A client connects to a port on which the server has no listener.  The
-- server's TCP has no socket for the SYN, so it answers with
-- <SEQ=0><ACK=SYN+1><CTL=RST,ACK> (RFC 9293 3.10.7.1), and the client
-- reports "connection refused" as soon as that arrives: one round trip
-- after the connect, not after any timeout.  The experiment measures
-- that time for one-way delays from 1 to 100 ms and compares it with the
-- round-trip time of the path (propagation plus the serialisation of a
-- SYN and a RST).
--
--   synack run examples/refused.lua
--   synack run examples/refused.lua delay=0.05
--
-- The CSV row is for `delay`; out/refused.csv has every delay and
-- out/refused.svg plots refusal time against the RTT.
local synack = require "synack"

local experiment = {
  params = { delay = 0.02, rate = "10Mbps", fast = false, verbose = true, out = "out" },
}

-- One connect to a closed port: the time to the reset, the round trip of
-- the path, the reset's cause and the client's counters.
local function refuse(delay, rate)
  local sim = synack.simulator{}
  sim:tcp_table() -- keep the connection table from the start
  local client, server = sim:node("client"), sim:node("server")
  local link = sim:duplex_link(client, server, {rate = rate, delay = delay})
  server:tcp():listen(80)                       -- port 80 listens, 81 does not
  local started, refused_at, cause, rsts
  sim:at(0, function()
    started = sim:now()
    client:tcp():connect(server, 81):on("reset", function(c, why)
      refused_at, cause = sim:now(), why
      rsts = c.stats.rsts_received
    end)
  end)
  sim:run()
  -- The SYN and the RST are serialised once each; their sizes come from
  -- the link's byte counters.
  local bps = synack.rate(rate)
  local syn = link:stats().ab.sent_bytes
  local rst = link:stats().ba.sent_bytes
  local rtt = 2 * delay + (syn + rst) * 8 / bps
  return refused_at - started, rtt, cause, rsts, sim:tcp_table()[1]
end

function experiment.run(P)
  local delays = P.fast and { 0.001, 0.01, 0.1 } or { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1 }
  local rows, t_meas, t_rtt = {}, {}, {}
  for _, d in ipairs(delays) do
    local t, rtt = refuse(d, P.rate)
    rows[#rows + 1] = { delay = d, rtt = rtt, refused = t, ratio = t / rtt }
    t_meas[#t_meas + 1], t_rtt[#t_rtt + 1] = t, rtt
  end
  local t, rtt, cause, rsts, conn = refuse(P.delay, P.rate)
  synack.csv.mkdir(P.out)
  synack.csv.write(P.out .. "/refused.csv", rows, { "delay", "rtt", "refused", "ratio" })
  synack.plot.lines(P.out .. "/refused.svg", {
    title = "Connection refused: time from connect to the reset",
    xlabel = "round-trip time (s)", ylabel = "time to \"refused\" (s)",
    series = { { name = "one RTT", t = { 0, t_rtt[#t_rtt] }, v = { 0, t_rtt[#t_rtt] } },
               { name = "measured", t = t_rtt, v = t_meas, style = "points" } } })
  if P.verbose then
    print(string.format("A SYN to a closed port over a %s link with a one-way delay of %g ms:", P.rate, P.delay * 1e3))
    print(string.format("  the client got a reset (%s, %d RST received) %.4f ms after connecting;", cause, rsts, t * 1e3))
    print(string.format("  one round trip is %.4f ms: the ratio is %.4f.", rtt * 1e3, t / rtt))
    print(string.format("  the connection went from SYN_SENT to %s at %.4f ms.", conn.state, conn.closed * 1e3))
    print("\n  delay (ms)  RTT (ms)  refused after (ms)")
    for _, r in ipairs(rows) do
      print(string.format("  %10g  %8.4f  %18.4f", r.delay * 1e3, r.rtt * 1e3, r.refused * 1e3))
    end
    print("\n\"Connection refused\" takes one round trip, whatever the timers say: no")
    print("retransmission, no timeout. Wrote " .. P.out .. "/refused.csv and refused.svg.\n")
  end
  return { rtt_ms = rtt * 1e3, refused_ms = t * 1e3, ratio = t / rtt, cause = cause,
           rsts_received = rsts }
end

return experiment
