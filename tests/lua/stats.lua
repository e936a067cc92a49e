-- Statistics, series, sim:every, the connection table, CSV and plots.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function near(got, want, what)
  check(math.abs(got - want) < 1e-9 * math.max(1, math.abs(want)), "%s: expected %.12g, got %.12g", what, want, got)
end

-- Summaries: percentiles by linear interpolation between closest ranks
-- (NumPy's default), sample standard deviation.
local s = synack.summary{ 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }
eq(s.count, 10, "count")
near(s.mean, 5.5, "mean")
near(s.min, 1, "min")
near(s.max, 10, "max")
near(s.sd, math.sqrt(55 / 6), "sd (n - 1)")
near(s.p50, 5.5, "p50")
near(s.p90, 9.1, "p90")
near(s.p99, 9.91, "p99")
s = synack.summary{ 42 }
near(s.sd, 0, "sd of one value")
near(s.p99, 42, "p99 of one value")
s = synack.summary{}
eq(s.count, 0, "empty count")
eq(s.mean, nil, "empty mean")
local ok, e = pcall(synack.summary, { 1, "2", 3 })
check(not ok and tostring(e):find("summary: element 2 is a string, not a number", 1, true), "%s", tostring(e))
-- Welford keeps precision where the naive formula loses it
s = synack.summary{ 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 }
near(s.sd, math.sqrt(30), "sd of large values")

-- Series
local ser = synack.series("cwnd")
eq(ser.name, "cwnd", "series name")
ser:add(0, 10):add("1ms", 20):add(0.002, 30)
eq(#ser, 3, "series length")
near(ser:times()[2], 0.001, "time with a unit")
eq(ser:values()[3], 30.0, "value")
near(ser:summary().mean, 20, "series mean")

-- sim:every: samples while other events are pending, not after; two
-- samplers do not keep each other alive; false stops one.
do
  local sim = synack.simulator{}
  local a, b = {}, {}
  sim:every(0.1, function(t) a[#a + 1] = t end)
  sim:every("250ms", function(t) b[#b + 1] = t; if #b == 2 then return false end end)
  sim:at(1.0, function() end)
  sim:run()
  eq(#a, 11, "samples at 0, 0.1, ..., 1.0")
  near(a[#a], 1.0, "last sample")
  eq(#b, 2, "the second sampler stopped itself")
  eq(sim:pending(), 0, "nothing left")
end

-- The connection table: closed connections keep their rows; the order is
-- creation; times and counters.
do
  local sim = synack.simulator{}
  eq(#sim:tcp_table(), 0, "asked for before the run: kept, empty so far")
  local c, srv = sim:node("client,1"), sim:node("server")
  sim:duplex_link(c, srv, { rate = "10Mbps", delay = "10ms" })
  srv:tcp():listen(80, function(conn)
    conn:on("state", function(x, _, to) if to == "CLOSE_WAIT" then x:close() end end)
  end)
  local ep = c:tcp()
  sim:at(0, function()
    ep:connect(srv, 80):on("established", function(x) x:send(5000); x:close() end)
  end)
  sim:at(0.5, function() ep:connect(srv, 81) end)
  sim:run()
  local rows = sim:tcp_table()
  eq(#rows, 3, "rows: client, server, refused client")
  eq(rows[1].side, "client", "row 1 side")
  eq(rows[2].side, "server", "row 2 side")
  eq(rows[1].node, "client,1", "node name")
  eq(rows[1].state, "CLOSED", "closed connections keep their rows")
  near(rows[1].handshake_time, 0.020096, "handshake time")
  eq(rows[2].bytes_received, 5000, "bytes received by the server")
  eq(rows[1].bytes_sent, 5000, "bytes sent by the client")
  check(rows[1].completion and rows[1].completion > rows[1].handshake_time, "completion after the handshake")
  check(rows[2].ttfb and rows[2].goodput > 0, "server ttfb and goodput")
  eq(rows[3].rsts_received, 1, "the refused connection got a reset")
  eq(rows[3].handshake_time, nil, "never established: no handshake time")
  eq(rows[3].remote:match(":(%d+)$"), "81", "remote port")
  local tmp = os.tmpname()
  sim:write_tcp_csv(tmp)
  local f = assert(io.open(tmp))
  local header = f:read("l")
  eq(header:sub(1, 30), "id,node,side,local,remote,cc,s", "CSV header")
  eq(f:read("l"):match("^1,\"client,1\",client,"), "1,\"client,1\",client,", "quoted node name")
  f:close()
  os.remove(tmp)
end

-- CSV: columns, quoting, numbers, and nothing lost on error.
local csv = synack.csv
eq(csv.field('say "hi", then\nleave'), '"say ""hi"", then\nleave"', "quoting")
eq(csv.field(0.1), "0.1", "shortest float")
eq(csv.field(1 / 3), "0.3333333333333333", "round-trip float")
eq(csv.field(3), "3", "integer")
eq(csv.field(nil), "", "nil")
eq(table.concat(csv.columns{ { b = 1, a = 2 }, { c = 3, a = 4 } }, ","), "a,b,c", "default columns")
eq(csv.format({ { x = 1 }, { y = true } }), "x,y\n1,\n,true\n", "format")
do
  local path = os.tmpname()
  local f = assert(io.open(path, "w")); f:write("precious\n"); f:close()
  ok, e = pcall(csv.write, path, { { x = {} } })
  check(not ok and tostring(e):find("row 1, column 'x': a table cannot be written", 1, true), "%s", tostring(e))
  f = assert(io.open(path)); eq(f:read("a"), "precious\n", "file kept after a failed write"); f:close()
  ok, e = pcall(synack.plot.lines, path, { series = { "nothing" }, data = { cwnd = ser } })
  check(not ok and tostring(e):find("unknown series 'nothing' (known: cwnd)", 1, true), "%s", tostring(e))
  f = assert(io.open(path)); eq(f:read("a"), "precious\n", "file kept after a failed plot"); f:close()
  os.remove(path)
end

-- Plots: errors name the problem; output is deterministic XML.
ok, e = pcall(synack.plot.lines, "/nonexistent-dir/x.svg", { series = { ser } })
check(not ok and tostring(e):find("plot.lines: cannot write /nonexistent-dir/x.svg", 1, true), "%s", tostring(e))
ok, e = pcall(synack.plot.cdf, "/tmp/x.svg", { series = { { name = "rtt", values = {} } } })
check(not ok and tostring(e):find("plot.cdf: series 'rtt' has no values", 1, true), "%s", tostring(e))
ok, e = pcall(synack.plot.lines, "/tmp/x.svg", { series = {} })
check(not ok and tostring(e):find("plot.lines: no series to plot", 1, true), "%s", tostring(e))
do
  local p1, p2 = os.tmpname(), os.tmpname()
  local opts = { title = "a <b> & c", series = { ser, { name = "x", t = { 0, 1 }, v = { 5, 5 } } }, step = true }
  synack.plot.lines(p1, opts)
  synack.plot.lines(p2, opts)
  local a = assert(io.open(p1)):read("a")
  eq(a, assert(io.open(p2)):read("a"), "same input, same bytes")
  check(a:find("^<%?xml") and a:find("a &lt;b&gt; &amp; c", 1, true) and a:find("</svg>\n$"), "SVG text")
  synack.plot.cdf(p1, { series = { { name = "u", values = { 3, 1, 2 } } } })
  check(assert(io.open(p1)):read("a"):find("<polyline", 1, true), "CDF drawn")
  os.remove(p1)
  os.remove(p2)
end

-- Ticks at round numbers.
local first, step, n = synack.plot.ticks(0, 0.37)
check(first == 0 and math.abs(step - 0.1) < 1e-12 and n == 4, "ticks 0..0.37: %g %g %d", first, step, n)
first, step, n = synack.plot.ticks(-3, 1234)
check(first == -1 and step == 250 and n == 6, "ticks -3..1234: %g %g %d", first, step, n)

-- The whole run's totals: links, nodes and TCP connections summed.
do
  local sim = synack.simulator{seed = 2}
  local a, r, b = sim:node("a"), sim:node("r"), sim:node("b")
  sim:tcp_table() -- the TCP totals sum the connection table
  local l1 = sim:duplex_link(a, r, {rate = "10Mbps", delay = "2ms"})
  local l2 = sim:duplex_link(r, b, {rate = "10Mbps", delay = "2ms",
                                    ab = {loss = {"list", drop = "3"}}})
  b:tcp():listen(80, function(c)
    c:on("state", function(conn, _, to) if to == "CLOSE_WAIT" then conn:close() end end)
  end)
  local c = a:tcp():connect(b, 80)
  c:on("established", function(conn) conn:send(50000); conn:close() end)
  a:tcp():connect(b, 81) -- refused
  sim:run()
  local t = sim:totals()
  local s1, s2 = l1:stats(), l2:stats()
  eq(t.sent_packets, s1.ab.sent_packets + s1.ba.sent_packets + s2.ab.sent_packets + s2.ba.sent_packets,
     "packets offered to every link direction")
  eq(t.drops.loss, 1, "the one packet the list model dropped")
  eq(t.forwarded, r:stats().forwarded, "forwarded by the router")
  eq(t.tcp_connections, 3, "the connection, its server side and the refused one")
  eq(t.tcp_established, 2, "both sides of one connection")
  eq(t.tcp_bytes_received, 50000, "bytes delivered")
  check(t.tcp_retransmissions >= 1, "the lost segment was sent again")
  eq(t.tcp_resets, 1, "b's endpoint refused port 81")
  check(t.events > 0 and t.time > 0, "events %d at %g s", t.events, t.time)
end
