-- The recorder sees what TCP refuses at a node and the notable events of
-- a connection: a SYN dropped for a full SYN queue or accept queue, a
-- segment for no socket, a challenge ACK (and one the rate limit held
-- back), a SYN cookie sent, validated and rejected, a zero-window probe
-- and a keepalive probe; rec:segments names the drop's reason and place
-- and marks the probes, rec:events lists the events, and the ladders
-- draw them.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function pair(timers)
  local sim = synack.simulator{seed = 7}
  local a, b = sim:node("client"), sim:node("server")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "5ms"})
  return sim, a, b
end

-- The rows of a recorded connection that match f.
local function rows(list, f)
  local out = {}
  for _, x in ipairs(list) do
    if f(x) then out[#out + 1] = x end
  end
  return out
end

-- The ladder of a connection, as text (or SVG).
local function draw(rec, conn, ext)
  local dir = T.tmpdir()
  local path = dir .. "/ladder." .. ext
  rec:ladder(path, {connection = conn, width = ext == "txt" and "auto" or nil})
  local text = T.read(path)
  T.rmdir(dir)
  return text
end
local function ladder(rec, conn) return draw(rec, conn, "txt") end
local function svg(rec, conn) return draw(rec, conn, "svg") end

-- 1. A full SYN queue: a peer that never completes its handshake holds
-- the only slot of the backlog; the real client's SYNs are dropped at
-- the server, and the ladder says why.
do
  local sim, a, b = pair()
  local fake = sim:node("fake")
  sim:duplex_link(fake, b, {rate = "100Mbps", delay = "5ms"})
  fake:on_receive("tcp", function() end)
  local l = b:tcp():listen(80, {backlog = 1, syncookies = "off"})
  local rec = sim:record()
  sim:at(0, function()
    fake:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 1, flags = "SYN"}}
  end)
  local conn
  sim:at(0.01, function() conn = a:tcp():connect(b, 80) end)
  sim:run{stop = 2}
  check(l:stats().syn_queue_drops >= 1, "the backlog dropped SYNs: %d", l:stats().syn_queue_drops)
  local segs = rec:segments{connection = conn}
  local syns = rows(segs, function(s) return s.flags == "SYN" end)
  check(#syns >= 2, "the client sent its SYN and retransmitted it: %d", #syns)
  for i, s in ipairs(syns) do
    eq(s.reason, "syn_queue_full", "SYN " .. i .. ": reason")
    eq(s.at, "server", "SYN " .. i .. ": dropped at the server")
    check(s.dropped and not s.arrived, "SYN %d: dropped, not arrived", i)
  end
  local text = ladder(rec, conn)
  check(text:find("dropped: SYN queue full", 1, true), "the text ladder names the reason:\n%s", text)
  local pic = svg(rec, conn)
  check(pic:find("dropped: SYN queue full", 1, true), "the SVG ladder names the reason")
end

-- 2. A full accept queue: under the linux profile (acceptq_drop_syn) the
-- second client's SYN is dropped; under rfc its final ACK.
for _, timers in ipairs{"linux", "rfc"} do
  local sim, a, b = pair()
  local l = b:tcp{timers = timers}:listen(80, {accept = "manual", accept_backlog = 1})
  local rec = sim:record()
  local c1, c2
  sim:at(0, function() c1 = a:tcp{timers = timers}:connect(b, 80) end)
  sim:at(0.1, function() c2 = a:tcp():connect(b, 80) end)
  sim:run{stop = 2}
  check(c1 and c2, "both connected")
  check(l:stats().accept_queue_drops >= 1, "%s: accept queue drops", timers)
  local want = timers == "linux" and "SYN" or "ACK"
  local dropped = rows(rec:segments{connection = c2}, function(s)
    return s.reason == "accept_queue_full"
  end)
  check(#dropped >= 1, "%s: a segment dropped for the full accept queue", timers)
  for _, s in ipairs(dropped) do
    eq(s.flags, want, timers .. ": what the full accept queue drops")
    eq(s.at, "server", timers .. ": where")
  end
  check(ladder(rec, c2):find("dropped: accept queue full", 1, true), "%s: text ladder", timers)
  eq(#rows(rec:segments{connection = c1}, function(s) return s.dropped end), 0,
     timers .. ": the first connection lost nothing")
end

-- 3. No socket: a SYN to a port nobody listens on is refused with a
-- reset.
do
  local sim, a, b = pair()
  b:tcp()
  local rec = sim:record()
  local conn
  sim:at(0, function() conn = a:tcp():connect(b, 81) end)
  sim:run{stop = 1}
  local segs = rec:segments{connection = conn}
  eq(segs[1].flags, "SYN", "the SYN")
  eq(segs[1].reason, "no_socket", "refused: no socket")
  eq(segs[1].at, "server", "at the server")
  eq(segs[2] and segs[2].flags, "RST,ACK", "the reset that answered")
  check(ladder(rec, conn):find("dropped: no socket", 1, true), "text ladder: no socket")
end

-- 4. Challenge ACKs: with one a second, the first in-window reset gets
-- one (an event, and its segment marked), the second is dropped for the
-- limit.
do
  local sim, a, b = pair()
  local server = b:tcp{state_machine = {"rfc9293", challenge_ack_limit = 1}, isn = {"fixed", value = 0}}
  server:listen(80)
  a:on_receive("tcp", function() end)
  local rec = sim:record()
  local function raw(t, tcp) sim:at(t, function() a:send_raw{to = b, size = 40, tcp = tcp} end) end
  raw(0, {sport = 40000, dport = 80, seq = 100, flags = "SYN"})
  raw(0.02, {sport = 40000, dport = 80, seq = 101, ack = 1, flags = "ACK"})
  raw(0.1, {sport = 40000, dport = 80, seq = 110, flags = "RST"})
  raw(0.2, {sport = 40000, dport = 80, seq = 111, flags = "RST"})
  sim:run{stop = 1}
  local ev = rec:events{connection = 1}
  eq(#ev, 1, "one event")
  eq(ev[1].event, "challenge_ack", "a challenge ACK")
  eq(ev[1].side, "server", "sent by the server")
  eq(ev[1].node, "server", "at node server")
  check(math.abs(ev[1].t - 0.105) < 1e-4, "when the reset arrived: %g", ev[1].t)
  local segs = rec:segments{connection = 1}
  local chal = rows(segs, function(s) return s.event == "challenge_ack" end)
  eq(#chal, 1, "the challenge ACK's segment is marked")
  eq(chal[1].dir, "s>c", "from the server")
  eq(chal[1].seq, ev[1].seq, "the event names its segment")
  local limited = rows(segs, function(s) return s.reason == "challenge_ack_limit" end)
  eq(#limited, 1, "the second reset dropped for the limit")
  eq(limited[1].flags, "RST", "the reset")
  local text = ladder(rec, 1)
  check(text:find("[challenge ACK]", 1, true), "text ladder marks the challenge ACK:\n%s", text)
  check(text:find("dropped: challenge ACK limit", 1, true), "text ladder: the limit")
  check(svg(rec, 1):find("[challenge ACK]", 1, true), "SVG ladder marks it")
end

-- 5. SYN cookies: always on, the SYN-ACK carries one and the final ACK
-- returns it; a forged ACK is rejected.
do
  local sim, a, b = pair()
  b:tcp():listen(80, {syncookies = "always"})
  local rec = sim:record()
  local conn
  sim:at(0, function() conn = a:tcp():connect(b, 80) end)
  sim:run{stop = 1}
  eq(conn.state, "ESTABLISHED", "established through a cookie")
  local ev = rec:events{connection = conn}
  eq(#ev, 2, "two events")
  eq(ev[1].event, "cookie_sent", "first the cookie sent")
  eq(ev[1].side, "server", "by the server")
  eq(ev[2].event, "cookie_validated", "then validated")
  eq(ev[2].side, "server", "by the server")
  check(ev[2].t > ev[1].t, "validated after it was sent")
  local segs = rec:segments{connection = conn}
  eq(segs[2].flags, "SYN,ACK", "the SYN-ACK")
  eq(segs[2].event, "cookie_sent", "the SYN-ACK is marked")
  eq(segs[3].event, "cookie_validated", "the ACK that returned it is marked")
  eq(segs[3].flags, "ACK", "... an ACK")
  local text = ladder(rec, conn)
  check(text:find("[cookie]", 1, true), "text ladder marks the cookie:\n%s", text)

  -- a forged ACK to the listener
  local sim2, a2, b2 = pair()
  b2:tcp():listen(80, {syncookies = "always"})
  a2:on_receive("tcp", function() end)
  local rec2 = sim2:record()
  sim2:at(0, function()
    a2:send_raw{to = b2, size = 40, tcp = {sport = 40001, dport = 80, seq = 5, ack = 12345, flags = "ACK"}}
  end)
  sim2:run{stop = 1}
  local s2 = rec2:segments{connection = 1}
  eq(s2[1].reason, "cookie_rejected", "the forged ACK: cookie rejected")
  eq(s2[1].at, "server", "at the server")
end

-- 6. A zero-window probe: the server reads nothing and its buffer fills.
do
  local sim, a, b = pair()
  local srv
  b:tcp{state_machine = {"rfc9293", rcvbuf = 4000}}:listen(80, function(c)
    srv = c
    c:set{autoread = false}
  end)
  local rec = sim:record()
  local conn
  sim:at(0, function()
    conn = a:tcp{timers = "linux"}:connect(b, 80)
    conn:on("established", function(c) c:send(20000) end)
  end)
  sim:run{stop = 3}
  check(srv, "accepted")
  check(conn.stats.zero_window_probes > 0, "the client probed: %d", conn.stats.zero_window_probes)
  local ev = rows(rec:events{connection = conn}, function(e) return e.event == "window_probe" end)
  eq(#ev, conn.stats.zero_window_probes, "an event per probe")
  eq(ev[1].side, "client", "the client probes")
  eq(ev[1].node, "client", "at node client")
  local probes = rows(rec:segments{connection = conn}, function(s) return s.event == "window_probe" end)
  eq(#probes, #ev, "every probe's segment is marked")
  eq(probes[1].len, 0, "a probe carries no data")
  check(ladder(rec, conn):find("[window probe]", 1, true), "text ladder marks the probe")
end

-- 7. A keepalive probe on an idle connection, answered.
do
  local sim, a, b = pair()
  b:tcp():listen(80)
  local rec = sim:record()
  local conn
  sim:at(0, function() conn = a:tcp():connect(b, 80) end)
  sim:at(0.5, function() conn:set{keepalive = true, keepidle = 1, keepintvl = "1s", keepcnt = 3} end)
  sim:run{stop = 4}
  eq(conn.state, "ESTABLISHED", "the answered probes keep it")
  local ev = rec:events{connection = conn}
  check(#ev >= 1, "keepalive events: %d", #ev)
  for _, e in ipairs(ev) do
    eq(e.event, "keepalive_probe", "a keepalive probe")
    eq(e.side, "client", "from the client")
  end
  local probes = rows(rec:segments{connection = conn}, function(s) return s.event == "keepalive_probe" end)
  eq(#probes, #ev, "their segments are marked")
  check(ladder(rec, conn):find("[keepalive probe]", 1, true), "text ladder marks the probe")
end

print("record_drops: ok")
