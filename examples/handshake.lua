-- handshake.lua: the TCP three-way handshake and close, step by step.
--
-- A client opens a connection to a server 10 ms away, and both close it.
-- The script prints every segment as it crosses the link (time, direction,
-- flags, seq and ack) and every state change of both endpoints, so the
-- claims of the handshake can be read off directly:
--   SYN (seq = x), SYN-ACK (seq = y, ack = x + 1), ACK (ack = y + 1);
--   FIN / ACK / FIN / ACK, with FIN_WAIT_1/2, CLOSE_WAIT, LAST_ACK and
--   TIME_WAIT on the way.
-- It also writes a pcap of the link (open it in Wireshark) to the
-- directory given as dir=... (default: none).
--
--   synack run examples/handshake.lua
--   synack run examples/handshake.lua isn=rfc6528 timers=rfc dir=/tmp
local synack = require "synack"

local experiment = {
  params = { isn = "fixed", timers = "linux", delay = 0.01, verbose = true, dir = "" },
}

local FLAG_NAMES = { S = "SYN", A = "ACK", F = "FIN", R = "RST", P = "PSH" }
local function flag_names(letters)
  local out = {}
  for c in letters:gmatch(".") do out[#out + 1] = FLAG_NAMES[c] or c end
  return table.concat(out, "+")
end

function experiment.run(P)
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  local link = sim:duplex_link(client, server, {rate = "100Mbps", delay = P.delay})
  if P.dir ~= "" then sim:pcap(P.dir) end

  -- Lines to print, sorted by time; at equal times a segment's arrival
  -- comes before the state change it causes.
  local lines = {}
  local function add(t, kind, text)
    lines[#lines + 1] = { t = t, kind = kind, n = #lines, text = string.format("%8.3f ms  %s", t * 1e3, text) }
  end
  local function say(fmt, ...)
    add(sim:now(), 1, string.format(fmt, ...))
  end
  local isn = P.isn == "fixed" and {"fixed", value = 1000} or P.isn
  local ep_c = client:tcp{isn = isn, timers = P.timers}
  local ep_s = server:tcp{isn = P.isn == "fixed" and {"fixed", value = 5000} or P.isn, timers = P.timers}
  ep_c:on_state(function(_, from, to, cause) say("client  %-12s -> %-12s (%s)", from, to, cause) end)
  ep_s:on_state(function(_, from, to, cause) say("server  %-12s -> %-12s (%s)", from, to, cause) end)

  -- Watch the segments: a second pair of nodes would change the topology,
  -- so the text trace of the link is read back at the end instead.
  local trace = os.tmpname()
  link:trace(trace)

  local established, closed_at
  ep_s:listen(80, function(conn)
    conn:on("state", function(c, _, to)
      if to == "CLOSE_WAIT" then sim:after(0.005, function() c:close() end) end
    end)
  end)
  sim:at(0, function()
    ep_c:connect(server, 80):on("established", function(c)
      established = sim:now()
      sim:after(0.05, function() c:close() end)
    end):on("closed", function() closed_at = sim:now() end)
  end)
  sim:run()

  -- Segments as they arrive ('r' lines of the trace), merged with the
  -- state changes in time order.
  local f = assert(io.open(trace))
  for l in f:lines() do
    local t, from, seq, ack, flags, len = l:match("^r (%S+) (%d) %d tcp %d+ %S+ %d+ %S+ %S+ (%d+) %d+ ACK=(%d+) FLAGS=(%S+) WIN=%d+ LEN=(%d+)")
    if t then
      local arrow = from == "0" and "client -> server" or "server -> client"
      add(tonumber(t), 0, string.format("%s  %-9s seq=%s ack=%s len=%s", arrow,
        (flags:gsub(",", "+")), seq, ack, len))
    end
  end
  f:close()
  os.remove(trace)
  table.sort(lines, function(a, b)
    if a.t ~= b.t then return a.t < b.t end
    if a.kind ~= b.kind then return a.kind < b.kind end
    return a.n < b.n
  end)

  if P.verbose then
    print("The TCP three-way handshake and close (one-way delay " .. P.delay * 1e3 .. " ms, timers " .. P.timers .. ").")
    print("Each line: the time a segment arrives or a state changes.\n")
    for _, l in ipairs(lines) do print(l.text) end
    print(string.format("\nThe client was established after %.3f ms (one round trip) and sent the third", established * 1e3))
    print("segment, the ACK of the server's ISN + 1. The server closed when it saw the")
    print("client's FIN; the client's TIME_WAIT then ended the connection at " ..
          string.format("%.3f s.\n", closed_at))
  end
  return { handshake_ms = established * 1e3, closed_s = closed_at }
end

return experiment
