-- half_close.lua: a half-closed connection still carries data one way.
--
-- The client sends a request and closes its side at once (its FIN follows
-- the request).  The server sees the FIN and goes to CLOSE_WAIT: it can no
-- longer receive, but it can still send, and it sends its whole response
-- from CLOSE_WAIT before closing.  The client, in FIN_WAIT_2, receives
-- every byte: the script counts them.  Ladder: OUT/half_close.svg.
--
--   synack run examples/half_close.lua
--   synack run examples/half_close.lua bytes=1000000 verbose=false
local synack = require "synack"

local experiment = {
  params = { bytes = 100000, delay = 0.01, verbose = true, out = "out", fast = false },
}

local function mkdir(d)
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
end

function experiment.run(P)
  local bytes = P.fast and math.min(P.bytes, 20000) or P.bytes
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  sim:duplex_link(client, server, {rate = "10Mbps", delay = P.delay})
  local rec = sim:record()
  local ep_c = client:tcp{timers = "linux", isn = {"fixed", value = 1000}}
  local ep_s = server:tcp{timers = "linux", isn = {"fixed", value = 5000}}
  local sent_in_close_wait, server_state_at_send = 0, nil
  ep_s:listen(80, function(c)
    c:on("state", function(c, _, to)
      if to == "CLOSE_WAIT" then
        -- the client is done sending; the response goes out now
        server_state_at_send = c.state
        c:send(bytes)
        sent_in_close_wait = bytes
        c:close()
      end
    end)
  end)
  local received, received_half_closed, conn = 0, 0, nil
  sim:at(0, function()
    conn = ep_c:connect(server, 80)
    conn:on("established", function(c) c:send("GET /\r\n"); c:shutdown() end)
    conn:on("data", function(c, n)
      received = received + n
      if c.state == "FIN_WAIT_2" or c.state == "FIN_WAIT_1" then
        received_half_closed = received_half_closed + n
      end
    end)
  end)
  sim:run()
  assert(received == sent_in_close_wait, "every byte arrives")

  mkdir(P.out)
  local svg = P.out .. "/half_close.svg"
  rec:ladder(svg, {connection = conn, title = "Half-close: the server sends from CLOSE_WAIT"})
  local segs = 0
  for _, s in ipairs(rec:segments{connection = conn}) do
    if s.dir == "s>c" and s.len > 0 then segs = segs + 1 end
  end
  if P.verbose then
    print(string.format("The client sent a request and closed its side; the server, in %s,", server_state_at_send))
    print(string.format("sent %d bytes in %d segments and then closed.", sent_in_close_wait, segs))
    print(string.format("The client received %d bytes, %d of them while half-closed (FIN_WAIT_1/2).",
      received, received_half_closed))
    print("A FIN closes one direction only; the other keeps flowing until its own FIN.\n")
    if bytes <= 20000 then io.write(rec:ladder_text{connection = conn}); print() end
    print("Ladder: " .. svg .. "\n")
  end
  return { sent_in_close_wait = sent_in_close_wait, received = received,
           received_half_closed = received_half_closed, data_segments = segs }
end

return experiment
