-- Data transfer through the Lua API: real bytes arrive intact and in
-- order through corruption, loss and reordering; sequence numbers wrap;
-- flow control with a slow reader; misuse is a clear error.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local text = T.text

-- a sends `payload` (a string, or a byte count) to b over one link with
-- these options; returns what b received (a string, or a count), the
-- client's and server's connection stats, and the link.
local function transfer(payload, link, opts)
  opts = opts or {}
  local sim = synack.simulator{seed = opts.seed or 1}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, link)
  local ta = a:tcp(opts.tcp_a)
  local tb = b:tcp(opts.tcp_b)
  local got, count, sstats = {}, 0, nil
  local done_at
  tb:listen(80, function(c)
    if opts.server_set then c:set(opts.server_set) end
    c:on("data", function(_, n, bytes)
      count = count + n
      if bytes then got[#got + 1] = bytes end
    end)
    c:on("state", function(conn, _, to)
      if to == "CLOSE_WAIT" then
        sstats = conn.stats
        -- closing with unread bytes would reset the client: a reader
        -- that reads by itself reads the rest first
        if opts.server_set and opts.server_set.autoread == false then conn:read() end
        conn:close()
      end
    end)
    if opts.on_accept then opts.on_accept(sim, c) end
  end)
  local c = ta:connect(b, 80, opts.client_set)
  c:on("established", function(conn)
    conn:send(payload)
    conn:close()
  end)
  c:on("sent", function() done_at = sim:now() end)
  local cstats
  c:on("state", function(conn, _, to) if to == "TIME_WAIT" then cstats = conn.stats end end)
  sim:run{stop = opts.stop or 600}
  check(cstats, "the client reached TIME_WAIT (state %s)", c.state)
  check(sstats, "the server saw the FIN")
  return type(payload) == "string" and table.concat(got) or count, cstats, sstats, l, done_at
end

-- 1. Real bytes over a clean link: every byte, in order.
do
  local msg = text(200000, 7)
  local got, cs = transfer(msg, {rate = "10Mbps", delay = "10ms"})
  eq(#got, #msg, "bytes received")
  check(got == msg, "the received text differs from the sent text")
  eq(cs.bytes_acked, #msg, "bytes acknowledged")
  eq(cs.retransmissions, 0, "no retransmission on a clean link")
end

-- 2. Corruption: every corrupted segment is dropped by the receiver's
-- checksum, retransmitted, and the text still arrives intact.
do
  local msg = text(300000, 8)
  local got, cs, _, l = transfer(msg, {rate = "10Mbps", delay = "10ms",
    ab = {loss = {"corrupt", p = 0.05}}})
  local corrupt = l:stats().ab.drops.corrupt
  check(corrupt > 3, "segments dropped for their checksum: %d", corrupt)
  -- every segment a -> b carries data (or the SYN or FIN), so each one
  -- dropped is sent again; only the handshake's last ACK and the ACK of
  -- the server's FIN carry nothing to repeat
  check(cs.retransmissions >= corrupt - 2, "%d retransmissions for %d corrupted segments",
        cs.retransmissions, corrupt)
  eq(#got, #msg, "bytes received through corruption")
  check(got == msg, "the text was damaged on the way")
end

-- 3. Loss, duplication and reordering at once, SACK on and off: still
-- every byte in order.
for _, sack in ipairs{true, false} do
  local msg = text(150000, 9)
  local sm = {"rfc9293", sack = sack}
  local got, cs = transfer(msg, {rate = "10Mbps", delay = "10ms",
    ab = {loss = {{"bernoulli", p = 0.02}, {"duplicate", p = 0.02},
                  {"reorder", p = 0.05, delay = "3ms"}}},
    ba = {loss = {"bernoulli", p = 0.02}}},
    {tcp_a = {state_machine = sm}, tcp_b = {state_machine = sm}})
  check(got == msg, "sack=%s: the text was damaged (got %d of %d bytes)", tostring(sack), #got, #msg)
  check(cs.fast_retransmits > 0, "sack=%s: losses were repaired by fast retransmit", tostring(sack))
end

-- 4. Sequence numbers wrap: ISNs just below 2^32 on both sides.
do
  local msg = text(100000, 10)
  local isn = {"fixed", value = 4294967295 - 30000}
  local got, cs = transfer(msg, {rate = "10Mbps", delay = "5ms",
    ab = {loss = {"bernoulli", p = 0.01}}},
    {tcp_a = {isn = isn}, tcp_b = {isn = isn}})
  check(got == msg, "text damaged across the sequence wrap")
  eq(cs.iss, 4294967295 - 30000, "the client's ISS")
  check(cs.snd_nxt < 200000, "SND.NXT wrapped past zero (%d)", cs.snd_nxt)
end

-- 5. Virtual bytes: counts only; goodput close to the link rate.
do
  local n = 5000000
  local count, cs, _, _, done = transfer(n, {rate = "10Mbps", delay = "10ms",
    queue = {"droptail", limit = 100}})
  eq(count, n, "virtual bytes received")
  eq(cs.bytes_acked, n, "virtual bytes acknowledged")
  -- 5 MB of payload in 1448-byte segments with 52 bytes of headers at
  -- 10 Mbit/s takes 4.14 s on the wire; slow start adds a little.
  check(done > 4.14 and done < 4.6, "5 MB at 10 Mbit/s took %.3f s", done)
end

-- 6. A slow reader: the receive window closes, the sender probes, the
-- transfer resumes as the reader reads.
do
  local n = 400000
  local count, cs = transfer(n, {rate = "10Mbps", delay = "10ms"}, {
    server_set = {autoread = false, rcvbuf = 20000},
    on_accept = function(sim, c)
      local function tick()
        if c.state == "CLOSED" then return end
        c:read(10000)
        sim:after(1, tick)
      end
      sim:after(1, tick)
    end,
  })
  eq(count, n, "bytes delivered to the slow reader")
  check(cs.zero_window_probes > 0, "the sender probed the zero window (%d probes)", cs.zero_window_probes)
end

-- 7. Misuse: clear errors at the script line.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local l = b:tcp():listen(80)
  fails("a listener does not send", function() l:send(10) end)
  local c = a:tcp():connect(b, 80)
  fails("is open already", function() c:connect(b, 80) end)
  fails("a connection does not listen", function() c:listen(81) end)
  fails("a byte count", function() c:send(1.5) end)
  fails("cannot be negative", function() c:send(-1) end)
  fails("reads by itself", function() c:read(10) end)
  fails("unknown option 'speed'", function() c:set{speed = 1} end)
  fails("option 'rcvbuf'", function() c:set{rcvbuf = "lots"} end)
  fails("no cc plugin named 'vegas'", function() c:set{cc = "vegas"} end)
  eq(c.state, "SYN_SENT", "conn.state is a field")
  sim:run{stop = 0.1}
  eq(c.state, "ESTABLISHED", "established")
  c:send(100)
  c:shutdown()
  eq(c.state, "FIN_WAIT_1", "shut down for sending")
  fails("shut down for sending", function() c:send(10) end)
  fails("shut down already", function() c:shutdown() end)
  eq(c.stats.bytes_queued, 100, "conn.stats is a field")
  sim:run()
  eq(c.state, "FIN_WAIT_2", "the server never closes its side")
  c:abort()
  sim:run()
  eq(c.state, "CLOSED", "aborted")
  fails("the connection is gone", function() c:send(1) end)
end

-- 8. cc per connection and samples of cwnd.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms"})
  b:tcp():listen(80)
  local c = a:tcp():connect(b, 80, {cc = "cubic", initial_window = 4})
  local samples = {}
  c:on("established", function(conn)
    conn:sample("cwnd", 0.02, function(t, v) samples[#samples + 1] = v end)
    conn:send(200000)
    conn:close()
  end)
  -- sampling goes on while the connection lives (FIN_WAIT_2 here, as
  -- the server never closes): the run needs an end
  sim:run{stop = 2}
  eq(c.state, "FIN_WAIT_2", "the client's side is closed")
  check(#samples >= 5, "cwnd was sampled (%d samples)", #samples)
  eq(samples[1], 4 * 1448, "the first sample is the initial window of 4 segments")
  check(samples[#samples] > samples[1], "cwnd grew in slow start")
end

-- 9. A peer's malformed SACK or window-scale option is ignored and
-- counted; the segment itself is taken.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local srv
  local tb = b:tcp()
  tb:listen(80, function(c) srv = c end)
  local c = a:tcp():connect(b, 80)
  sim:run{stop = 0.1}
  local cs, ss = c.stats, srv.stats
  -- a SACK option of length 9 and a window scale of length 4, then 10
  -- bytes of data in sequence
  local opts = "\5\9\0\0\0\1\0\0\0" .. "\3\4\7\0" .. "\0\0\0"
  a:send_raw{to = b, size = 40 + #opts + 10, tcp = {sport = cs.lport, dport = 80,
    seq = cs.snd_nxt, ack = ss.snd_nxt, flags = "ACK", options = opts}}
  sim:run{stop = 1}
  eq(srv.stats.bad_options, 2, "malformed options counted on the connection")
  eq(tb:stats().bad_options, 2, "and on the endpoint")
  eq(srv.stats.bytes_received, 10, "the segment's data was taken")
  -- a SACK block for data never sent is ignored and counted as well
  a:send_raw{to = b, size = 40 + 12, tcp = {sport = cs.lport, dport = 80,
    seq = cs.snd_nxt + 10, ack = ss.snd_nxt, flags = "ACK",
    options = {sack = {{ss.snd_nxt + 100, ss.snd_nxt + 200}}}}}
  sim:run{stop = 2}
  eq(srv.stats.bad_options, 3, "a SACK block beyond SND.MAX")
end

-- 10. Receive buffers smaller than the window scale's unit (2^7 here)
-- still move data: the window is rounded up, never sent as zero.
for _, rcvbuf in ipairs{100, 10000} do
  local sm = {"rfc9293", rcvbuf = rcvbuf, wscale = rcvbuf == 100 and 7 or 14}
  local count = transfer(20000, {rate = "1Gbps", delay = "5ms"},
    {tcp_b = {state_machine = sm}, tcp_a = {state_machine = {"rfc9293", wscale = sm.wscale}}})
  eq(count, 20000, "bytes through a receive buffer of " .. rcvbuf)
end
