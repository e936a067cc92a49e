-- The socket-level API of a connection: close versus shutdown, accept
-- without reading, socket options, conn:read, errors, what stays readable
-- after the end, poll and send space, and finding connections.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

-- Two nodes a (client) and b (server on port 80), 10 ms one way.
local function pair(timers, server_opts)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
  local ta, tb = a:tcp{timers = timers}, b:tcp{timers = timers}
  local o = {sim = sim, a = a, b = b, ta = ta, tb = tb}
  tb:listen(80, server_opts or function(c) o.s = c end)
  return o
end

-- 1. close with unread data resets the peer; close without sends a FIN.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  local why
  c:on("reset", function(_, w) why = w end)
  o.sim:run{stop = 0.5}
  o.s:set{autoread = false}
  c:send(100)
  o.sim:run{stop = 1}
  eq(o.s:read(0), 0, "read(0) of virtual data")
  o.s:close()
  o.sim:run{stop = 2}
  eq(why, "reset", "the client is reset by a close with unread data")
  eq(o.s.stats.rsts_sent, 1, "the server sent one reset")
  eq(o.s.state, "CLOSED", "the server's connection is gone")
  eq(c.error, "reset", "conn.error after a reset")
  local r, e = c:read()
  eq(r, nil, "read after a reset")
  eq(e, "reset", "read's reason after a reset")
  local p = c:poll()
  check(p.err and p.hup and p.readable, "poll after a reset: err, hup, readable")
  fails("the connection is gone", function() c:send(1) end)
  eq(c.stats.state, "CLOSED", "stats stay readable")
  eq(c.stats.rsts_received, 1, "the snapshot counts the reset")
end

-- 2. linger 0: close aborts at once with a reset.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  local why
  o.sim:run{stop = 1}
  o.s:on("reset", function(_, w) why = w end)
  fails("linger", function() c:set{linger = "x"} end)
  c:set{linger = 0}
  c:close()
  o.sim:run{stop = 2}
  eq(why, "reset", "linger 0 resets the peer")
  eq(c.stats.rsts_sent, 1, "one reset sent")
  eq(c.error, nil, "our own abort is no error")
end

-- 3. shutdown: twice in one direction fails; read then write is fine;
-- data after shutdown("read") is acknowledged and discarded.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  o.sim:run{stop = 1}
  o.s:set{autoread = false}
  o.s:shutdown("read")
  fails("shut down already", function() o.s:shutdown("read") end)
  fails("bad argument", function() o.s:shutdown("sideways") end)
  -- a NUL byte does not cut the option short into a valid one
  fails("NUL", function() o.s:shutdown("write\0junk") end)
  c:send(5000)
  o.sim:run{stop = 2}
  eq(c.stats.bytes_acked, 5000, "data after shutdown(read) is acknowledged")
  eq(o.s.stats.bytes_received, 5000, "and counted")
  local r, e = o.s:read()
  check(r == nil and e == "eof", "read after shutdown(read): nil, eof (got %s, %s)", r, e)
  o.s:shutdown("write")
  fails("shut down already", function() o.s:shutdown("both") end)
  o.sim:run{stop = 3}
  eq(c.state, "CLOSE_WAIT", "the server's FIN arrived")
  check(c:poll().rdhup, "poll: rdhup after the peer's FIN")
  check(not c:poll().hup, "poll: no hup while we may still send")
  eq(select(2, c:read()), "eof", "read at the end of the stream")
end

-- 4. FIN_WAIT_2 under linux timers: a connection shut down for writing
-- keeps receiving past tcp_fin_timeout (60 s); an orphan times out.
do
  local o = pair("linux")
  local c = o.ta:connect(o.b, 80)
  o.sim:run{stop = 1}
  c:shutdown("write")
  for t = 10, 100, 10 do o.sim:at(t, function() o.s:send(1000) end) end
  o.sim:run{stop = 101}
  eq(c.state, "FIN_WAIT_2", "held after shutdown: no FIN_WAIT_2 timeout")
  eq(c.stats.bytes_received, 10000, "and it kept receiving")
  c:close()
  o.sim:run{stop = 160}
  eq(c.state, "FIN_WAIT_2", "the orphan's timeout runs from the close")
  o.sim:run{stop = 162}
  eq(c.state, "CLOSED", "the orphan timed out 60 s after the close")
end

-- 5. accept hands the connection over unread, sending nothing; real bytes
-- come back as a string, and "" once read.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
  local l = b:tcp():listen(80, {accept = "manual"})
  local c = a:tcp():connect(b, 80)
  c:on("established", function() c:send("hello") end)
  sim:run{stop = 1}
  local seen = c.stats.segments_in
  local s = l:accept()
  check(s, "a connection waits")
  sim:run{stop = 2}
  eq(c.stats.segments_in, seen, "accept sent nothing")
  eq(s:read(3), "hel", "read(3)")
  eq(s:read(), "lo", "read the rest")
  eq(s:read(), "", "nothing more yet")
  c:close()
  sim:run{stop = 3}
  local r, e = s:read()
  check(r == nil and e == "eof", "read after the peer's FIN: nil, eof")
  check(s:poll().readable and s:poll().rdhup, "poll: readable at the end of the stream")
end

-- 6. Options: bad values name the option; user_timeout and keepalive per
-- connection against a peer that answers the handshake and then nothing.
do
  local function silent(opts, with_data)
    local sim = synack.simulator{seed = 1}
    local a, b = sim:node("a"), sim:node("b")
    sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
    local answered = false
    b:on_receive("tcp", function(p)
      if not answered and p.flags == "S" then
        answered = true
        b:send_raw{to = a, size = 40, tcp = {sport = 80, dport = p.sport, seq = 1000,
          ack = p.seq + 1, flags = "SYN+ACK"}}
      end
    end)
    local c = a:tcp():connect(b, 80)
    local why
    c:on("closed", function(_, w) why = w end)
    sim:run{stop = 1}
    eq(c.state, "ESTABLISHED", "the silent peer answered the handshake")
    c:set(opts)
    if with_data then c:send(1000) end
    sim:run{stop = 30}
    return c, why, sim
  end
  local c, why, sim = silent({user_timeout = "2s"}, true)
  eq(c.state, "CLOSED", "user_timeout ended the connection")
  eq(c.error, "timeout", "conn.error after the user timeout")
  eq(why, "timeout", "closed by the timeout")
  c, why = silent({keepalive = true, keepidle = 1, keepintvl = "1s", keepcnt = 2}, false)
  eq(why, "keepalive timeout", "keepalive probes ran out")
  eq(c.error, "timeout", "conn.error after keepalive")
  c = silent({}, false)
  eq(c.state, "ESTABLISHED", "without keepalive the idle connection stays")
  for _, bad in ipairs{{keepcnt = 0}, {user_timeout = "soon"}, {mss = 10}, {cork = 1},
                       {keepidle = 0}, {linger = -1}, {syn_retries = 0}, {syn_retries = 128},
                       {syn_retries = 1.5}} do
    local k = next(bad)
    fails(k, function() c:set(bad) end)
  end
end

-- 6b. syn_retries (TCP_SYNCNT): an active open to a peer that never
-- answers sends its SYN and that many retransmissions, then gives up,
-- in each profile (under linux after the linear timeouts too).
for _, timers in ipairs{"rfc", "linux"} do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
  local syns = 0
  b:on_receive("tcp", function() syns = syns + 1 end)
  local c
  sim:at(0, function() c = a:tcp{timers = timers}:connect(b, 80, {syn_retries = 1}) end)
  sim:run{stop = 600}
  eq(c.state, "CLOSED", timers .. ": the open gave up")
  eq(c.error, "timeout", timers .. ": conn.error")
  -- linux: 1 retry + 4 linear timeouts, cut at the time 1 + 1 doubling
  -- timeouts take (3 s: SYNs at 0, 1, 2 s)
  eq(syns, timers == "rfc" and 2 or 3, timers .. ": SYNs sent with syn_retries = 1")
end

-- 7. cork holds a short segment until uncorked; mss clamps the segments.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  o.sim:run{stop = 1}
  c:set{cork = true, nagle = false}
  c:send(100)
  o.sim:run{stop = 2}
  eq(o.s.stats.bytes_received, 0, "corked: nothing sent")
  c:set{cork = false}
  o.sim:run{stop = 3}
  eq(o.s.stats.bytes_received, 100, "uncorked: sent")
  c:set{mss = 600}
  local before = o.s.stats.segments_in
  c:send(6000)
  o.sim:run{stop = 4}
  eq(o.s.stats.bytes_received, 6100, "all arrived")
  -- 600 less the timestamp option: 588 bytes a segment
  eq(o.s.stats.segments_in - before, 11, "segments of at most 588 bytes")
end

-- 8. send_space, poll's writable, lookup and listing.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  o.sim:run{stop = 1}
  c:set{sndbuf = 30000}
  eq(c.send_space, 30000, "an empty send buffer")
  check(c:poll().writable, "writable with the buffer empty")
  c:send(25000)
  eq(c.send_space, 5000, "queued and unacknowledged bytes take space")
  check(not c:poll().writable, "not writable with less than a third free")
  o.sim:run{stop = 2}
  eq(c.send_space, 30000, "acknowledged bytes free it")
  local lport = c.stats.lport
  eq(o.ta:connection(lport, o.b, 80), c, "lookup by node")
  eq(o.ta:connection(lport, "10.0.0.99", 80), nil, "no such connection")
  eq(o.tb:connection(80, o.a, lport), o.s, "the server's by its tuple")
  eq(#o.sim:node("spare"):tcp():connections(), 0, "an endpoint with no connection")
  local c2 = o.ta:connect(o.b, 80)
  local all = o.ta:connections()
  eq(#all, 2, "two connections")
  check(all[1] == c and all[2] == c2, "in the order they were made")
  fails("port must be", function() o.ta:connection(0, o.b, 80) end)
  fails("not an IPv4 address", function() o.ta:connection(1, "x", 80) end)
end

-- 9. data after close answers with a reset.
do
  local o = pair()
  local c = o.ta:connect(o.b, 80)
  o.sim:run{stop = 1}
  c:close()
  o.sim:run{stop = 2}
  eq(c.state, "FIN_WAIT_2", "closed, the FIN acknowledged")
  local why
  o.s:on("reset", function(_, w) why = w end)
  o.s:send(100)
  o.sim:run{stop = 3}
  eq(c.state, "CLOSED", "data on an orphan ends it")
  eq(c.stats.rsts_sent, 1, "with a reset")
  eq(why, "reset", "the peer sees it")
end
-- 10. listener:close(): a handshake in progress is dropped without a
-- segment (the peer's ACK then draws a reset), an unaccepted connection
-- is reset, accepted ones go on; SYNs then find no listener, the port
-- can be listened on again, and the closed listener's methods raise.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
  local ta, tb = a:tcp{timers = "linux"}, b:tcp{timers = "linux"}
  -- in SYN_RECEIVED: closed while the SYN-ACK is on its way
  local l = tb:listen(80, {accept = "manual"})
  local c = ta:connect(b, 80)
  local why
  c:on("reset", function(_, w) why = w end)
  sim:run{stop = 0.015}
  eq(l:stats().syn_received, 1, "a handshake in progress")
  l:close()
  sim:run{stop = 1}
  eq(c.state, "CLOSED", "the peer's ACK found no connection")
  eq(why, "reset", "and drew a reset")
  eq(c.stats.segments_in, 2, "the SYN-ACK and the reset: nothing at the close")
  -- methods of a closed listener raise
  fails("the listener is closed", l.stats, l)
  fails("the listener is closed", l.accept, l)
  fails("the listener is closed", l.close, l)
  -- established, never accepted: reset at the close
  local l2 = tb:listen(80, {accept = "manual"})
  check(l2 ~= l, "a new listener on the port")
  local c2 = ta:connect(b, 80)
  local why2
  c2:on("reset", function(_, w) why2 = w end)
  sim:run{stop = 2}
  eq(c2.state, "ESTABLISHED", "the handshake completed")
  eq(l2:stats().accept_queue, 1, "waiting for accept")
  l2:close()
  sim:run{stop = 3}
  eq(c2.state, "CLOSED", "the unaccepted connection was reset")
  eq(why2, "reset", "the peer sees a reset")
  -- accepted connections go on; a SYN after the close is refused
  local s3
  local l3 = tb:listen(80, function(s) s3 = s end)
  local c3 = ta:connect(b, 80)
  sim:run{stop = 4}
  check(s3, "accepted")
  l3:close()
  c3:send(1000)
  sim:run{stop = 5}
  eq(s3.state, "ESTABLISHED", "the accepted connection goes on")
  eq(s3.stats.bytes_received, 1000, "and receives")
  local c4 = ta:connect(b, 80)
  sim:run{stop = 6}
  eq(c4.state, "CLOSED", "a SYN after the close")
  eq(c4.stats.rsts_received, 1, "is refused with a reset")
  -- the accept handler went with the listener: the new one is its own
  local n5 = 0
  tb:listen(80, function() n5 = n5 + 1 end)
  local c5 = ta:connect(b, 80)
  sim:run{stop = 7}
  eq(c5.state, "ESTABLISHED", "listening again on the port")
  eq(n5, 1, "the new accept handler")
end
-- 10b. listener:close() with many connections waiting: each queued one
-- is reset once and each handshake in progress forgotten, also when an
-- observer of one's end aborts others meanwhile.
do
  local sim = synack.simulator{seed = 1}
  local a, b, f = sim:node("a"), sim:node("b"), sim:node("f")
  local r = sim:node("r")
  for _, x in ipairs{a, b, f} do sim:duplex_link(x, r, {rate = "1Gbps", delay = "1ms"}) end
  local ta, tb = a:tcp{timers = "linux"}, b:tcp{timers = "linux"}
  local l = tb:listen(80, {accept = "manual", backlog = 1000})
  local clients, resets = {}, 0
  for i = 1, 60 do
    local c = ta:connect(b, 80)
    c:on("reset", function() resets = resets + 1 end)
    clients[i] = c
  end
  f:app{"synflood", target = b:address(), port = 80, rate = 1000, stop = 0.05}
  local waiting, closing, aborted, ends = {}, false, 0, 0
  tb:on_state(function(conn, _, to)
    if to == "ESTABLISHED" then waiting[#waiting + 1] = conn end
    if to ~= "CLOSED" or not closing then return end
    ends = ends + 1
    if ends == 1 then
      -- the first end aborts ten other queued connections
      for k = #waiting, 1, -1 do
        local x = waiting[k]
        if x ~= conn and x.state == "ESTABLISHED" and aborted < 10 then
          x:abort()
          aborted = aborted + 1
        end
      end
    end
  end)
  local pending
  sim:at(0.1, function()
    eq(l:stats().accept_queue, 60, "60 connections wait to be accepted")
    pending = l:stats().syn_received
    check(pending >= 40, "handshakes in progress (%d)", pending)
    closing = true
    l:close()
  end)
  sim:run{stop = 1}
  eq(aborted, 10, "the observer aborted ten")
  eq(ends, 60 + pending, "every waiting connection ended once")
  eq(resets, 60, "each client was reset once")
  for i, c in ipairs(clients) do eq(c.state, "CLOSED", "client " .. i) end
end
-- 11. mss given to connect is in force before the SYN: the SYN offers
-- it, so the peer's segments are no larger.
do
  local function segments(opts)
    local o = pair()
    local c = o.ta:connect(o.b, 80, opts)
    o.sim:run{stop = 1}
    local before = c.stats.segments_in
    o.s:send(1400)
    o.sim:run{stop = 2}
    eq(c.stats.bytes_received, 1400, "received")
    return c.stats.segments_in - before, o
  end
  local plain = segments()
  local clamped, o = segments{mss = 500}
  eq(clamped - plain, 2, "1400 bytes in three segments of at most 500, not one")
  fails("connect: option 'mss' must be between 88", o.ta.connect, o.ta, o.b, 80, {mss = 1})
end
-- 12. what a connection received stays readable after its end, as on a
-- socket: past the end of TIME_WAIT (the record is gone), and after a
-- reset; then read reports the end or the error.
do
  for _, timers in ipairs{"rfc", "linux"} do
    local o = pair(timers)
    local c = o.ta:connect(o.b, 80, {autoread = false})
    local v = o.ta:connect(o.b, 80, {autoread = false})
    o.sim:run{stop = 1}
    local sc, sv = o.tb:connections()[1], o.tb:connections()[2]
    if sc.stats.rport ~= c.stats.lport then sc, sv = sv, sc end
    sc:send("hello, ")
    sc:send("world")
    sv:send(1000)
    for _, x in ipairs{sc, sv} do x:close() end
    for _, x in ipairs{c, v} do x:shutdown("write") end
    o.sim:run{stop = 2}
    eq(c.state, "TIME_WAIT", timers .. ": the client waits in TIME_WAIT")
    o.sim:run{stop = 1000}
    eq(c.state, "CLOSED", timers .. ": TIME_WAIT is over")
    eq(v.state, "CLOSED", timers .. ": for both")
    eq(c:read(3), "hel", timers .. ": part of what was received")
    eq(c:read(0), "", timers .. ": read(0) of real bytes")
    eq(c:read(), "lo, world", timers .. ": the rest")
    local r, e = c:read()
    check(r == nil and e == "eof", "%s: then the end of the stream (got %s, %s)", timers, r, e)
    eq(v:read(400), 400, timers .. ": virtual bytes, in part")
    eq(v:read(0), 0, timers .. ": read(0) of virtual bytes")
    eq(v:read(), 600, timers .. ": and the rest")
    eq(select(2, v:read()), "eof", timers .. ": then the end")
  end
  local o = pair()
  local c = o.ta:connect(o.b, 80, {autoread = false})
  c:on("reset", function() end)
  o.sim:run{stop = 1}
  o.s:send("before the reset")
  o.sim:run{stop = 2}
  o.s:set{linger = 0}
  o.s:close()
  o.sim:run{stop = 3}
  eq(c.error, "reset", "the client was reset")
  eq(c:read(), "before the reset", "what came before the reset is read")
  local r, e = c:read()
  check(r == nil and e == "reset", "then the reset (got %s, %s)", r, e)
end
print("socket_api ok")
