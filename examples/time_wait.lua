-- time_wait.lua: what TIME_WAIT is for (RFC 9293 3.6).
--
-- The client closes first and the network loses its final ACK, so the
-- server, in LAST_ACK, retransmits its FIN.  The client reopens a
-- connection from the same port as soon as its record is gone.
--   * With TIME_WAIT (linux: 60 s) the client's record is still there:
--     it re-ACKs the retransmitted FIN and the server closes cleanly.
--     The port is reused only after 60 s, and the new handshake takes one
--     round trip.
--   * With TIME_WAIT = 0 (time_wait=0s) the record is gone at once.  If
--     the client does not reopen, the server's FIN retransmission finds
--     no socket and meets an RST: the server's close ends in a reset.
--   * With TIME_WAIT = 0 and the port reused at once, the client's new
--     SYN meets the server still in LAST_ACK: the old connection's ACK
--     lands in the new incarnation, the client resets it, and the new
--     connection is late by the SYN retransmission timeout (1 s).
-- Ladders: OUT/time_wait-60s.svg, OUT/time_wait-0s.svg and
-- OUT/time_wait-0s_reopen.svg (the old connection), and
-- OUT/time_wait-0s_reopen-next.svg (the new one).
--
--   synack run examples/time_wait.lua
--   synack run examples/time_wait.lua time_wait=0s verbose=false
local synack = require "synack"

local experiment = {
  params = { time_wait = "all", delay = 0.01, verbose = true, out = "out", fast = false },
}

local function mkdir(d)
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
end

local function trial(P, tw, reopen)
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  -- the client's second pure ACK (the final one of the close) is lost
  sim:duplex_link(client, server, {rate = "10Mbps", delay = P.delay,
    ab = {loss = {"match", flags = "ACK", has_data = "no", direction = "forward", nth = 2}}})
  local rec = sim:record()
  local timers = {"linux", time_wait = tw}
  local ep_c = client:tcp{isn = {"fixed", value = 1000}, timers = timers}
  local ep_s = server:tcp{isn = {"fixed", value = 5000}, timers = timers}
  local server_close_cause, accepted = nil, 0
  ep_s:listen(80, function(c)
    accepted = accepted + 1
    c:on("state", function(c, _, to, cause)
      if to == "CLOSE_WAIT" then sim:after(0.005, function() c:close() end) end
      if to == "CLOSED" and accepted == 1 and not server_close_cause then server_close_cause = cause end
    end)
  end)
  local first, second, reopened, established2
  sim:at(0, function()
    first = ep_c:connect(server, 80, {lport = 40000})
    first:on("established", function(c) sim:after(0.05, function() c:close() end) end)
    first:on("closed", function()
      if not reopen then return end
      -- reopen from the same port as soon as the record is gone
      sim:after(0.001, function()
        reopened = sim:now()
        second = ep_c:connect(server, 80, {lport = 40000})
        second:on("established", function(c)
          established2 = sim:now()
          sim:after(0.05, function() c:abort() end)
        end)
      end)
    end)
  end)
  sim:run{stop = 400}
  local rsts, refin = 0, 0
  for _, c in ipairs(rec:connections()) do
    for _, s in ipairs(rec:segments{connection = c.index}) do
      if s.flags:find("RST") then rsts = rsts + 1 end
      if s.dir == "s>c" and s.flags:find("FIN") then refin = refin + 1 end
    end
  end
  mkdir(P.out)
  local name = tw .. (tw ~= "60s" and reopen and "_reopen" or "")
  local svg = P.out .. "/time_wait-" .. name .. ".svg"
  local reopened_to = reopened and reopened + 1.5 or nil
  rec:ladder(svg, {connection = first, title = "Final ACK lost, TIME_WAIT " .. tw})
  local text = rec:ladder_text{connection = first}
  local text2 = second and rec:ladder_text{connection = second, to = reopened_to} or ""
  if second and tw ~= "60s" then
    rec:ladder(P.out .. "/time_wait-" .. name .. "-next.svg", {connection = second, to = reopened_to,
      title = "The next connection from the same port, TIME_WAIT " .. tw})
  end
  return {
    server_close = server_close_cause or "none", rsts = rsts, fins = refin,
    reopened = reopened, handshake = established2 and reopened and established2 - reopened or -1,
    text = text, text2 = text2, svg = svg,
  }
end

function experiment.run(P)
  local trials = P.time_wait == "all" and {{"60s", true}, {"0s", false}, {"0s", true}}
              or {{P.time_wait, true}}
  local row = {}
  for _, tr in ipairs(trials) do
    local tw = tr[1]
    local r = trial(P, tw, tr[2])
    local k = tw:gsub("%.", "_") .. (tw ~= "60s" and tr[2] and "_reopen" or "")
    row["fins_" .. k] = r.fins
    row["server_close_" .. k] = r.server_close
    row["rsts_" .. k] = r.rsts
    row["reopen_s_" .. k] = r.reopened or -1
    row["handshake_s_" .. k] = r.handshake
    if P.verbose then
      print(string.format("== TIME_WAIT %s%s ==\n", tw, tr[2] and ", the port reused" or ""))
      io.write(r.text)
      if r.text2 ~= "" then print("\nThe next connection from the same port:\n"); io.write(r.text2) end
      print(string.format("\nThe server's record closed by: %s.  FINs from the server: %d.  Resets: %d.",
        r.server_close, r.fins, r.rsts))
      if r.reopened then
        print(string.format("The port was reused at %.3f s; the new handshake took %.3f s.", r.reopened, r.handshake))
      end
      print("Ladder: " .. r.svg .. "\n")
    end
  end
  return row
end

return experiment
