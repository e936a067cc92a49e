-- close.lua: the four-way close, every state of both sides, and how long
-- TIME_WAIT lasts under each timer profile.
--
-- The client closes first (active close: FIN_WAIT_1, FIN_WAIT_2,
-- TIME_WAIT); the server's application closes 5 ms after it sees the FIN
-- (passive close: CLOSE_WAIT, LAST_ACK).  The client's record stays in
-- TIME_WAIT for 2 MSL: 240 s under the `rfc` profile (RFC 9293's MSL of
-- 2 minutes), 60 s under `linux` (TCP_TIMEWAIT_LEN).  The ladders go to
-- OUT/close-rfc.svg and OUT/close-linux.svg (the long wait is cut short
-- and marked in the drawing).
--
--   synack run examples/close.lua
--   synack run examples/close.lua timers=linux verbose=false
local synack = require "synack"

local experiment = {
  params = { timers = "both", delay = 0.01, verbose = true, out = "out", fast = false },
}

local function mkdir(d)
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
end

local function trial(P, timers)
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  sim:duplex_link(client, server, {rate = "100Mbps", delay = P.delay})
  local rec = sim:record()
  local ep_c = client:tcp{timers = timers, isn = {"fixed", value = 1000}}
  local ep_s = server:tcp{timers = timers, isn = {"fixed", value = 5000}}
  ep_s:listen(80, function(c)
    c:on("state", function(c, _, to)
      if to == "CLOSE_WAIT" then sim:after(0.005, function() c:close() end) end
    end)
  end)
  local conn
  sim:at(0, function()
    conn = ep_c:connect(server, 80)
    conn:on("established", function(c) sim:after(0.05, function() c:close() end) end)
  end)
  sim:run()

  local path = {client = {}, server = {}}
  local tw_start, tw_end
  for _, s in ipairs(rec:states{connection = conn}) do
    local p = path[s.side]
    if #p == 0 then p[1] = s.from end
    p[#p + 1] = s.to
    if s.side == "client" and s.to == "TIME_WAIT" then tw_start = s.t end
    if s.side == "client" and s.from == "TIME_WAIT" then tw_end = s.t end
  end
  mkdir(P.out)
  local svg = P.out .. "/close-" .. timers .. ".svg"
  rec:ladder(svg, {connection = conn, title = "Four-way close, " .. timers .. " timers"})
  return {
    client = table.concat(path.client, ">"), server = table.concat(path.server, ">"),
    time_wait = tw_end - tw_start, text = rec:ladder_text{connection = conn}, svg = svg,
  }
end

function experiment.run(P)
  local profiles = P.timers == "both" and {"rfc", "linux"} or {P.timers}
  local row = {}
  for _, timers in ipairs(profiles) do
    local r = trial(P, timers)
    row["time_wait_" .. timers .. "_s"] = r.time_wait
    row["client_states_" .. timers] = r.client
    row["server_states_" .. timers] = r.server
    if P.verbose then
      print(string.format("== timers %s ==\n", timers))
      io.write(r.text)
      print(string.format("\nclient: %s", r.client:gsub(">", " -> ")))
      print(string.format("server: %s", r.server:gsub(">", " -> ")))
      print(string.format("TIME_WAIT lasted %.3f s.  Ladder: %s\n", r.time_wait, r.svg))
    end
  end
  if P.verbose then
    print("The side that closes first waits in TIME_WAIT (2 MSL) so that a lost final ACK")
    print("can be sent again and old segments die out before the 4-tuple is reused.\n")
  end
  return row
end

return experiment
