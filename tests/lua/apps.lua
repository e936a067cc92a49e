-- The TCP applications: bulk into a sink delivers exactly its bytes and
-- both ends close; reqresp completes its exchanges with the right byte
-- counts; echo sends back exactly what it was sent; a sink that reads
-- slowly closes the sender's window (zero-window probes) and the transfer
-- still completes, in about bytes / read_rate.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

-- Two nodes on one link; the links' options.
local function pair(link, seed)
  local sim = synack.simulator{seed = seed or 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, link or {rate = "10Mbps", delay = "10ms"})
  return sim, a, b
end

-- 1. bulk -> sink: exactly `bytes` bytes, both ends close (the sender
-- first: it ends in TIME_WAIT; the sink goes LAST_ACK -> CLOSED).
do
  local sim, a, b = pair()
  local states = {a = {}, b = {}}
  a:tcp():on_state(function(_, _, to) states.a[#states.a + 1] = to end)
  b:tcp():on_state(function(_, _, to) states.b[#states.b + 1] = to end)
  local sink = b:app{"sink", port = 5001}
  local bulk = a:app{"bulk", target = b:address(), port = 5001, bytes = 1234567, start = 1}
  sim:run{stop = 60}
  local bs, ss = bulk:stats(), sink:stats()
  eq(bs.bytes_sent, 1234567, "bulk: bytes acknowledged")
  eq(ss.bytes_received, 1234567, "sink: bytes received")
  eq(bs.connections, 1, "bulk: connections")
  eq(ss.connections, 1, "sink: connections")
  eq(bs.completed, 1, "bulk: transfer complete")
  eq(ss.completed, 1, "sink: transfer complete")
  eq(bs.failed + ss.failed, 0, "nothing failed")
  eq(bs.start, 1.0, "bulk: started at its start time")
  check(bs.completion > 1.9 and bs.completion < 4, "bulk: completed at %g s", bs.completion)
  check(ss.completion > ss.start and ss.completion <= bs.completion,
        "sink: completed at %g s (bulk at %g s)", ss.completion, bs.completion)
  -- 1234567 bytes over 10 Mbit/s: about 1 s on the wire, plus slow start
  check(bs.goodput > 0.5e6 and bs.goodput < 1.25e6, "bulk: goodput %g B/s", bs.goodput)
  check(math.abs(bs.goodput - bs.bytes_sent / (bs.completion - bs.start)) < 1e-6 * bs.goodput,
        "bulk: goodput %g is not bytes / time", bs.goodput)
  eq(states.a[#states.a], "TIME_WAIT", "the sender closed first (2 MSL to wait)")
  eq(states.a[#states.a - 1], "FIN_WAIT_2", "the sender's FIN was acknowledged")
  eq(states.b[#states.b], "CLOSED", "the sink closed")
  eq(states.b[#states.b - 1], "LAST_ACK", "the sink closed after the sender")
end

-- A sink serves several senders; the unfinished one is not complete.
do
  local sim = synack.simulator{seed = 2}
  local r, dst = sim:node("r"), sim:node("dst")
  sim:duplex_link(r, dst, {rate = "20Mbps", delay = "2ms"})
  local senders = {}
  for i = 1, 3 do
    local n = sim:node("s" .. i)
    sim:duplex_link(n, r, {rate = "100Mbps", delay = "1ms"})
    senders[i] = n:app{"bulk", target = dst:address(), bytes = i * 100000, start = i * 0.1}
  end
  local sink = dst:app{"sink"}
  sim:run{stop = 30}
  local ss = sink:stats()
  eq(ss.connections, 3, "sink: connections")
  eq(ss.completed, 3, "sink: transfers complete")
  eq(ss.bytes_received, 600000, "sink: bytes from all senders")
  for i = 1, 3 do eq(senders[i]:stats().bytes_sent, i * 100000, "sender " .. i) end

  -- unlimited: still sending at the end of the run, never complete
  local a, b
  sim, a, b = pair({rate = "10Mbps", delay = "5ms"}, 3)
  sink = b:app{"sink"}
  local bulk = a:app{"bulk", target = b:address(), bytes = 0}
  sim:run{stop = 5}
  local bs = bulk:stats()
  eq(bs.completion, -1, "unlimited: never complete")
  eq(bs.completed, 0, "unlimited: nothing completed")
  -- about 10 Mbit/s for 5 s, less slow start and the handshake
  check(bs.bytes_sent > 5e6 and bs.bytes_sent < 6.25e6, "unlimited: %d bytes in 5 s", bs.bytes_sent)
  check(sink:stats().bytes_received >= bs.bytes_sent, "the sink got what was acknowledged")
  eq(sink:stats().completion, -1, "the sink is not complete either")
end

-- 2. reqresp: count exchanges over one connection, the right bytes on
-- both sides, latencies of at least a round trip plus the response's
-- transmission.
do
  local sim, a, b = pair({rate = "10Mbps", delay = "10ms"})
  local server = b:app{"reqresp", role = "server", port = 80, request = 300, response = 20000}
  local client = a:app{"reqresp", role = "client", target = b:address(), port = 80,
                       request = 300, response = 20000, count = 7, start = 0.5}
  sim:run{stop = 60}
  local cs, ss = client:stats(), server:stats()
  eq(cs.completed, 7, "client: exchanges")
  eq(ss.completed, 7, "server: responses acknowledged")
  eq(cs.bytes_sent, 7 * 300, "client: request bytes acknowledged")
  eq(cs.bytes_received, 7 * 20000, "client: response bytes received")
  eq(ss.bytes_received, 7 * 300, "server: request bytes received")
  eq(ss.bytes_sent, 7 * 20000, "server: response bytes acknowledged")
  eq(cs.connections, 1, "client: one connection for every exchange")
  eq(ss.connections, 1, "server: one connection")
  eq(cs.failed + ss.failed, 0, "nothing failed")
  -- a round trip (20 ms) plus 20000 bytes at 10 Mbit/s (16 ms)
  check(cs.latency_min >= 0.036, "client: fastest exchange %g s", cs.latency_min)
  check(cs.latency_max < 0.5, "client: slowest exchange %g s", cs.latency_max)
  check(cs.latency_mean >= cs.latency_min and cs.latency_mean <= cs.latency_max,
        "client: mean latency %g s", cs.latency_mean)
  check(cs.completion > cs.start + 7 * 0.036, "client: completed at %g s", cs.completion)
  check(ss.completion > 0, "server: complete")
end

-- 3. echo: a Lua client sends real bytes and receives exactly them back.
do
  local sim, a, b = pair({rate = "1Mbps", delay = "5ms"})
  local echo = b:app{"echo", port = 7}
  local msg = {}
  for i = 1, 5000 do msg[i] = string.char(32 + (i * 7919) % 95) end
  msg = table.concat(msg)  -- 5000 bytes: several segments
  local got, virt = {}, 0
  local c = a:tcp():connect(b, 7)
  c:on("established", function(conn)
    conn:send("hello, ")
    conn:send(msg)
  end)
  c:on("data", function(conn, n, bytes)
    if bytes then got[#got + 1] = bytes else virt = virt + n end
    if #table.concat(got) == 7 + #msg then conn:close() end
  end)
  sim:run{stop = 30}
  got = table.concat(got)
  eq(virt, 0, "no virtual bytes come back for real ones")
  eq(#got, 7 + #msg, "bytes echoed")
  check(got == "hello, " .. msg, "the echo differs from what was sent")
  eq(c.state, "TIME_WAIT", "the client closed, then the echo server")
  local es = echo:stats()
  eq(es.bytes_received, 7 + #msg, "echo: bytes received")
  eq(es.bytes_sent, 7 + #msg, "echo: bytes sent back and acknowledged")
  eq(es.completed, 1, "echo: connection complete")
  eq(es.failed, 0, "echo: nothing failed")

  -- virtual bytes come back as virtual bytes
  sim, a, b = pair()
  b:app{"echo", port = 7}
  local n = 0
  c = a:tcp():connect(b, 7)
  c:on("established", function(conn) conn:send(100000) end)
  c:on("data", function(conn, k, bytes)
    check(bytes == nil, "real bytes came back for virtual ones")
    n = n + k
    if n == 100000 then conn:close() end
  end)
  sim:run{stop = 30}
  eq(n, 100000, "virtual bytes echoed")
end

-- 4. A slow reader: the sink reads 50 kB/s from a 64 KiB buffer, a
-- second's worth at a time; the sender fills the buffer and meets a zero
-- window for longer than its RTO (the linux timers' 200 ms minimum), so
-- it probes; the transfer still completes, in about bytes / rate.
do
  local sim, a, b = pair({rate = "10Mbps", delay = "2ms"}, 4)
  local conn
  a:tcp{timers = "linux"}:on_state(function(c, _, to) if to == "ESTABLISHED" then conn = c end end)
  local bytes, rate = 600000, 50000  -- bytes, bytes per second
  local sink = b:app{"sink", read_rate = (rate * 8) .. "bps", read_interval = "1s", rcvbuf = "64KiB"}
  local bulk = a:app{"bulk", target = b:address(), bytes = bytes}
  sim:run{stop = 5}
  check(conn, "the sender's connection was established")
  local probes = conn.stats.zero_window_probes
  sim:run{stop = 60}
  local bs, ss = bulk:stats(), sink:stats()
  check(probes > 0, "the sender probed the zero window (%d probes)", probes)
  eq(bs.bytes_sent, bytes, "slow reader: bytes acknowledged")
  eq(ss.bytes_received, bytes, "slow reader: bytes received")
  eq(bs.completed, 1, "slow reader: the sender completed")
  eq(ss.completed, 1, "slow reader: the sink read everything")
  local took = ss.completion - bs.start
  -- about bytes / rate = 12 s
  check(took > 0.85 * bytes / rate and took < 1.15 * bytes / rate,
        "the slow reader took %g s for %d bytes at %d B/s", took, bytes, rate)
  check(bs.completion < ss.completion, "the sender finished before the reader")
  check(bs.completion - bs.start > (bytes - 65536) / rate * 0.85,
        "the sender was held back by the reader: %g s", bs.completion - bs.start)
end

-- 5. Misuse is an error naming the parameter.
do
  local sim, a = pair()
  fails("app/bulk: parameter 'target': 'nowhere' is not an IPv4 address", function()
    a:app{"bulk", target = "nowhere"}
  end)
  fails("app/reqresp: parameter 'target'", function() a:app{"reqresp"} end)
  a:app{"sink", port = 9}
  fails("port 9 is in use", function() a:app{"echo", port = 9} end)
  fails("read_rate", function() a:app{"sink", port = 10, read_rate = "fast"} end)
  local lonely = sim:node("lonely")
  fails("has no link", function() lonely:app{"sink"} end)
end

-- An endpoint an application made is bound to Lua on its first use, and
-- an application's statistics are refused once its simulator is closed.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "3ms"})
  local sink = b:app{"sink", port = 80}
  local got = 0
  b:tcp():listen(81, function(c) c:on("data", function(_, n) got = got + n end) end)
  local c = a:tcp():connect(b, 81)
  c:on("established", function(conn) conn:send(5000); conn:close() end)
  sim:run{stop = 2}
  eq(got, 5000, "bytes through an endpoint an application made")
  sim:close()
  fails("the simulator is closed", function() return sink:stats() end)
end

-- A reply sent from the data handler carries the ACK: no pure ACK follows
-- it, so the peer sees no duplicate ACK.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "300ms"})
  b:tcp():listen(7, function(c) c:on("data", function(conn, n) conn:send(n) end) end)
  local c = a:tcp():connect(b, 7)
  c:on("established", function(conn)
    for i = 0, 9 do sim:after(i * 0.25, function() conn:send(1448) end) end
  end)
  sim:run{stop = 8}
  eq(c.stats.dupacks_in, 0, "duplicate ACKs seen by the client")
  eq(c.stats.bytes_received, 14480, "echoed bytes")
end
