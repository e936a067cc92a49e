-- The accept queue: with accept = "manual", established connections wait
-- for listener:accept(); a full queue drops the handshake's final ACK
-- (the server stays in SYN_RECEIVED and its SYN-ACK retransmissions try
-- again), and data for a waiting connection stays unread.  Under the
-- linux timer profile (acceptq_drop_syn) a full queue drops the SYNs
-- too, as Linux's tcp_conn_request does: no SYN-ACK, no record, and the
-- clients' SYN retransmissions try again.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local function scenario(timers)
  local sim = synack.simulator{seed = 5}
  local s, r = sim:node("server"), sim:node("router")
  sim:duplex_link(s, r, {rate = "100Mbps", delay = "5ms"})
  local clients = {}
  for i = 1, 5 do
    clients[i] = sim:node("c" .. i)
    sim:duplex_link(clients[i], r, {rate = "100Mbps", delay = "5ms"})
  end
  local l = s:tcp{state_machine = {"rfc9293", rcvbuf = 20000}, timers = timers}
    :listen(80, {accept = "manual", accept_backlog = 2})
  local conns = {}
  -- two fill the queue; three more come once it is full
  for i = 1, 5 do
    sim:at((i > 2 and 0.1 or 0) + 0.001 * i, function()
      conns[i] = clients[i]:tcp():connect(s, 80)
      conns[i]:on("established", function(c) c:send(50000) end)
    end)
  end

  local out = {}
  sim:at(0.5, function()
    out.at_half = l:stats()
    out.states = {}
    for i = 1, 5 do out.states[i] = conns[i].state end
  end)
  -- Accept everything that waits, every second from t = 1 s.
  local accepted, received, before = {}, {}, {}
  local function acceptor()
    while true do
      local c = l:accept()
      if not c then break end
      accepted[#accepted + 1] = c
      local k = #accepted
      before[k] = c.stats.bytes_received -- what arrived while it waited
      received[k] = before[k]
      c:on("data", function(_, n) received[k] = received[k] + n end)
      -- accept hands it over unread: from now on it reads by itself
      c:set{autoread = true}
    end
    if #accepted < 5 then sim:after(1, acceptor) end
  end
  sim:at(1, acceptor)
  sim:run{stop = 60}
  out.accepted, out.received, out.before, out.final = accepted, received, before, l:stats()
  return out
end

for _, timers in ipairs({"rfc", "linux"}) do
  local o = scenario(timers)
  local at_half = o.at_half
  eq(at_half.accept_queue, 2, timers .. ": two connections wait in the accept queue")
  if timers == "rfc" then
    eq(at_half.syn_received, 3, "rfc: three handshakes wait in SYN_RECEIVED")
    check(at_half.accept_queue_drops >= 3, "rfc: final ACKs dropped: %d", at_half.accept_queue_drops)
    for i = 3, 5 do
      eq(o.states[i], "ESTABLISHED", "rfc: client " .. i .. " had a SYN-ACK")
    end
  else
    eq(at_half.syn_received, 0, "linux: no record for a SYN the full queue dropped")
    check(at_half.accept_queue_drops >= 3, "linux: SYNs dropped: %d", at_half.accept_queue_drops)
    for i = 3, 5 do
      eq(o.states[i], "SYN_SENT", "linux: client " .. i .. " had no SYN-ACK")
    end
  end
  eq(#o.accepted, 5, timers .. ": every connection accepted in the end")
  for i = 1, 5 do
    eq(o.received[i], 50000, timers .. ": bytes of accepted connection " .. i)
  end
  -- A connection waiting unaccepted had its window closed at its buffer:
  -- 20000 bytes (the receive buffer, rounded up to the window scale's unit
  -- of 128 bytes) at most arrived before its accept.
  for i = 1, 2 do
    check(o.before[i] > 0 and o.before[i] <= 20096,
          "%s: connection %d received %d bytes before its accept", timers, i, o.before[i])
  end
  eq(o.final.accept_queue, 0, timers .. ": the queue is empty")
end

local sim = synack.simulator{seed = 5}
local s = sim:node("server")
-- The handler and manual accepting exclude each other.
fails("no accept handler", function()
  s:tcp():listen(81, {accept = "manual"}, function() end)
end)
fails("accept must be", function() s:tcp():listen(82, {accept = "sometimes"}) end)
