-- The sequence space of the send side: the SYN at ISS, the user's bytes
-- from ISS + 1, then the FIN.  Whatever state machine acknowledges the SYN
-- (late, with the first data, in the two-way handshake) and however far the
-- numbers go round, exactly the bytes queued are sent and delivered, and
-- the run ends.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local text = T.text

-- 1. tcp/twoway, data both ways.  The client's first data segment
-- acknowledges the server's SYN.  `early` queues the server's reply as
-- soon as it accepts (before its SYN is acknowledged), else only once the
-- request has arrived (after: nothing queued when the SYN is
-- acknowledged).  Real bytes, so that a byte lost or invented shows.
local function twoway(early, timers)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "1Mbps", delay = "5ms"})
  local ta = a:tcp{state_machine = "twoway", timers = timers}
  local tb = b:tcp{state_machine = "twoway", timers = timers}
  local request, reply = text(5000, 1), text(3000, 2)
  local at_server, at_client, sconn, sstats = {}, {}, nil, nil
  tb:listen(80, function(c)
    sconn = c
    if early then c:send(reply) end
    local n = 0
    c:on("data", function(conn, k, bytes)
      at_server[#at_server + 1] = bytes
      n = n + k
      if not early and n == #request then conn:send(reply) end
    end)
    c:on("state", function(conn, _, to)
      sstats = conn.stats
      if to == "CLOSE_WAIT" then conn:close() end
    end)
  end)
  local c = ta:connect(b, 80)
  c:on("established", function(conn) conn:send(request) end)
  -- the client closes once it has the whole reply
  local got = 0
  c:on("data", function(conn, k, bytes)
    at_client[#at_client + 1] = bytes
    got = got + k
    if got == #reply then conn:close() end
  end)
  -- bounded, so that a data path sending for ever fails here instead of
  -- hanging: the exchange takes well under a second, TIME_WAIT 240 s at
  -- most, and 1 Mbps for 1000 s would be 125 MB
  local how = sim:run{stop = 1000}
  local what = string.format("twoway (%s, %s)", early and "reply queued at once" or "reply after the request", timers)
  eq(how, "empty", what .. ": the run ran out of events before its stop")
  local rq, rp = table.concat(at_server), table.concat(at_client)
  eq(#rq, #request, what .. ": bytes of the request received")
  check(rq == request, "%s: the request arrived altered", what)
  eq(#rp, #reply, what .. ": bytes of the reply received")
  check(rp == reply, "%s: the reply arrived altered", what)
  eq(sstats.bytes_sent, #reply, what .. ": bytes the server sent")
  eq(sstats.bytes_acked, #reply, what .. ": bytes of the server's acknowledged")
  eq(sconn.state, "CLOSED", what .. ": server state")
  eq(c.state, "CLOSED", what .. ": client state")
end
for _, timers in ipairs({"rfc", "linux"}) do
  twoway(true, timers)
  twoway(false, timers)
end

-- 2. SND.UNA back at ISS: after exactly 2^32 - 1 bytes of data (ISS + 1
-- + 2^32 - 1 wraps to ISS) every byte is acknowledged and SND.UNA equals
-- ISS again, which is not "the SYN is unacknowledged": the next bytes
-- queued must go out.  Segments of 64 KiB make it 65,000 segments.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Gbps", delay = "1ms", mtu = 65535})
  local sm = {"rfc9293", mss = "65495B", sndbuf = "64MiB", rcvbuf = "64MiB", initial_window = 1000}
  local ta, tb = a:tcp{state_machine = sm}, b:tcp{state_machine = sm}
  local got = 0
  tb:listen(80, function(c)
    c:on("data", function(_, n) got = got + n end)
    c:on("state", function(conn, _, to) if to == "CLOSE_WAIT" then conn:close() end end)
  end)
  local first = (1 << 32) - 1
  local c = ta:connect(b, 80)
  local sent = 0
  c:on("established", function(conn) conn:send(first) end)
  c:on("sent", function(conn)
    sent = sent + 1
    if sent == 1 then
      eq(conn.stats.snd_nxt, conn.stats.iss, "SND.NXT after 2^32 - 1 bytes")
      conn:send(100)
      conn:close()
    end
  end)
  local how = sim:run{stop = 1000}
  eq(how, "empty", "after the wrap: the run ran out of events")
  eq(got, first + 100, "bytes delivered across SND.UNA = ISS")
  eq(c.state, "CLOSED", "after the wrap: client state")
end
