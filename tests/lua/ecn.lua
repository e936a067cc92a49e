-- ECN (RFC 3168) on the endpoint: the profile's `ecn` and the connection's
-- option, and a validation experiment.
--
-- 1. Negotiation: a connection has ECN exactly when the active side asks
--    for it ("on") and the passive side takes it ("accept" or "on"); the
--    profiles' defaults are `linux` accept and `rfc` off, so two `linux`
--    hosts have no ECN until a connect asks for it (ecn = "on").
-- 2. A bulk transfer (NewReno, 20 s) through a 10 Mbit/s, 5 ms bottleneck
--    whose queue is CoDel or RED (a 1000-packet limit, so that the
--    average's lag in slow start marks rather than overflows) with ECN
--    marking, from a sender that asks
--    for ECN or not.  With ECN the queue marks instead of dropping: no
--    packet is lost at the bottleneck, the receiver sees CE marks, the
--    sender reduces its window on the echoes, at most once per window
--    (each reduction told by one CWR, no loss recovery, no timeout); and
--    the goodput stays within a band of the goodput without ECN, where
--    the queue drops to the same end.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

-- 1. Negotiation.
local function negotiate(client_timers, server_timers, opts)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "5ms"})
  local srv
  b:tcp{timers = server_timers}:listen(80, function(c) srv = c end)
  local c = a:tcp{timers = client_timers}:connect(b, 80, opts)
  c:on("established", function(conn) conn:send(10000) end)
  sim:run{stop = 2}
  check(srv, "no connection accepted")
  eq(srv.stats.bytes_received, 10000, "bytes received")
  eq(srv.stats.ecn, c.stats.ecn, "both sides agree on ECN")
  return c.stats.ecn
end

local modes = {"off", "accept", "on"}
for _, cm in ipairs(modes) do
  for _, sm in ipairs(modes) do
    local want = cm == "on" and sm ~= "off"
    eq(negotiate({"rfc", ecn = cm}, {"rfc", ecn = sm}), want,
       ("client ecn=%s, server ecn=%s"):format(cm, sm))
  end
end
eq(negotiate("linux", "linux"), false, "linux to linux (accept, accept)")
eq(negotiate("linux", "linux", {ecn = "on"}), true, "linux asking (connect's ecn = on)")
eq(negotiate("linux", "rfc", {ecn = "on"}), false, "linux asking an rfc host (off)")
eq(negotiate({"rfc", ecn = "on"}, "rfc", {ecn = "off"}), false, "connect's ecn = off")
T.fails("option 'ecn' must be", function()
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "5ms"})
  a:tcp{}:connect(b, 80, {ecn = "yes"})
end)

-- 3 (below). The recorder: a short transfer through a CoDel queue that
--    marks (a 1 ms target): data segments ECT(0), some arriving CE (and
--    the text ladder says so), pure ACKs Not-ECT, ECE and CWR in the flags.

-- 2. The bulk transfer.
local START, STOP = 5, 20

local function bulk(queue, ecn)
  local sim = synack.simulator{seed = 1}
  local a, r, b = sim:node("a"), sim:node("r"), sim:node("b")
  sim:duplex_link(a, r, {rate = "1Gbps", delay = "1ms", queue = {"droptail", limit = 10000}})
  local bn = sim:duplex_link(r, b, {rate = "10Mbps", delay = "5ms", queue = queue})
  local srv
  b:tcp{timers = "linux"}:listen(80, function(c) srv = c end)
  local c = a:tcp{timers = "linux"}:connect(b, 80, {ecn = ecn and "on" or "off", cc = "newreno"})
  c:on("established", function(conn) conn:send(1e12) end)
  sim:run{stop = START}
  check(srv, "%s: no connection", queue[1])
  local got0 = srv.stats.bytes_received
  sim:run{stop = STOP}
  local drops = 0
  for _, n in pairs(bn:stats().ab.drops) do drops = drops + n end
  return (srv.stats.bytes_received - got0) * 8 / (STOP - START), drops, c.stats, srv.stats
end

for _, q in ipairs{{"codel", ecn = true}, {"red", ecn = true, rate = "10Mbps", limit = 1000}} do
  local g_on, d_on, s_on, r_on = bulk(q, true)
  local g_off, d_off, s_off = bulk(q, false)
  print(("%s: goodput %.2f Mbit/s with ECN (%d dropped, %d CE received, %d reductions, " ..
         "%d CWR), %.2f Mbit/s without (%d dropped, %d fast retransmits)")
    :format(q[1], g_on / 1e6, d_on, r_on.ecn_ce_received, s_on.ecn_reductions,
            s_on.ecn_cwr_sent, g_off / 1e6, d_off, s_off.fast_retransmits))
  check(s_on.ecn and not s_off.ecn, "%s: ECN negotiated only when asked", q[1])
  -- without ECN the queue drops, with it it marks
  check(d_off > 0, "%s: no drop without ECN", q[1])
  eq(d_on, 0, q[1] .. ": packets dropped at the bottleneck with ECN")
  eq(s_on.retransmissions, 0, q[1] .. ": retransmissions with ECN")
  check(r_on.ecn_ce_received > 0, "%s: no CE mark received", q[1])
  check(s_on.ecn_ece_received >= s_on.ecn_reductions and s_on.ecn_reductions > 0,
        "%s: %d ECE, %d reductions", q[1], s_on.ecn_ece_received, s_on.ecn_reductions)
  -- each reduction's CWR goes with the next new data: the last one may
  -- still wait (no loss recovery, whose start is told by CWR too)
  eq(s_on.fast_retransmits + s_on.timeouts, 0, q[1] .. ": loss recoveries with ECN")
  check(s_on.ecn_cwr_sent <= s_on.ecn_reductions and s_on.ecn_cwr_sent >= s_on.ecn_reductions - 1,
        "%s: %d CWR sent for %d reductions", q[1], s_on.ecn_cwr_sent, s_on.ecn_reductions)
  -- at most one reduction per window: fewer than one per base RTT (14 ms)
  check(s_on.ecn_reductions < STOP / 0.014, "%s: %d reductions in %d s", q[1],
        s_on.ecn_reductions, STOP)
  -- and no ECN state without it
  eq(s_off.ecn_reductions + s_off.ecn_cwr_sent + s_off.ecn_ece_received, 0, q[1] .. ": ECN counters without ECN")
  -- the same band of goodput, and a busy link either way
  check(g_on > 0.8 * g_off and g_on < 1.25 * g_off,
        "%s: goodput %.2f Mbit/s with ECN, %.2f without", q[1], g_on / 1e6, g_off / 1e6)
  check(g_off > 7e6 and g_on > 7e6, "%s: goodput under 7 Mbit/s", q[1])
end


-- 3. The recorder.
do
  local sim = synack.simulator{seed = 1}
  local rec = sim:record()
  local a, r, b = sim:node("a"), sim:node("r"), sim:node("b")
  sim:duplex_link(a, r, {rate = "1Gbps", delay = "1ms"})
  sim:duplex_link(r, b, {rate = "10Mbps", delay = "5ms",
    queue = {"codel", ecn = true, target = "1ms", interval = "20ms"}})
  local srv
  b:tcp{timers = "linux"}:listen(80, function(x) srv = x end)
  local c = a:tcp{timers = "linux"}:connect(b, 80, {ecn = "on"})
  c:on("established", function(conn) conn:send(2e6) end)
  sim:run{stop = 3}
  local n = {data_ect0 = 0, data_ce = 0, data_other = 0, acks_marked = 0, ece = 0, cwr = 0}
  for _, s in ipairs(rec:segments{connection = 1}) do
    if s.len > 0 and s.dir == "c>s" then
      if s.ecn == "ect0" then n.data_ect0 = n.data_ect0 + 1
      elseif s.ecn == "ce" then n.data_ce = n.data_ce + 1
      else n.data_other = n.data_other + 1 end
    elseif s.len == 0 and s.ecn then
      n.acks_marked = n.acks_marked + 1
    end
    if s.flags:find("ECE", 1, true) and not s.flags:find("SYN", 1, true) then n.ece = n.ece + 1 end
    if s.flags:find("CWR", 1, true) and not s.flags:find("SYN", 1, true) then n.cwr = n.cwr + 1 end
  end
  check(n.data_ect0 > 100, "recorded: %d ECT(0) data segments", n.data_ect0)
  check(n.data_ce > 0, "recorded: no CE-marked data segment")
  eq(n.data_other, c.stats.retransmissions, "recorded: Not-ECT data segments (the retransmissions)")
  eq(n.acks_marked, 0, "recorded: ECN-capable segments without data")
  eq(n.data_ce, srv.stats.ecn_ce_received, "recorded: CE-marked data segments, as the receiver counted")
  check(n.ece > 0 and n.cwr == c.stats.ecn_cwr_sent, "recorded: %d ECE, %d CWR (%d sent)",
        n.ece, n.cwr, c.stats.ecn_cwr_sent)
  local text = rec:ladder_text{connection = 1}
  check(text:find("|--CE ACK seq=", 1, true), "the ladder shows no CE mark")
end
