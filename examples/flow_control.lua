-- flow_control.lua: the window field is flow control.
--
-- A client sends a file to a server whose application reads slowly: it
-- reads `read` bytes every 100 ms, and not at all between `pause` and
-- `resume` seconds.  The server's receive buffer (rcvbuf) fills, the
-- window it advertises shrinks to zero and the sender stops.  While the
-- window is zero the sender's persist timer sends zero-window probes
-- (backing off like the retransmission timer), so that a lost window
-- update cannot deadlock the connection.  When the reader comes back the
-- window reopens and the transfer resumes and completes.
--
--   synack run examples/flow_control.lua
--   synack run examples/flow_control.lua rcvbuf=8192 pause=0.5 resume=4
--
-- Writes out/flow_control.csv (connections), out/flow_control_window.svg
-- (the window the sender sees) and out/flow_control_bytes.svg (bytes sent
-- and read by the application).
local synack = require "synack"

local experiment = {
  params = { bytes = 200000, rcvbuf = 16384, read = 4000, pause = 1.0, resume = 3.0,
             delay = 0.01, fast = false, verbose = true, out = "out" },
}

function experiment.run(P)
  local n = P.fast and math.min(P.bytes, 60000) or P.bytes
  local sim = synack.simulator{}
  sim:tcp_table() -- keep the connection table from the start
  local client, server = sim:node("client"), sim:node("server")
  sim:duplex_link(client, server, {rate = "10Mbps", delay = P.delay})
  local window, sent, read = synack.series("window"), synack.series("acknowledged"), synack.series("read")
  local sender, receiver
  local total_read, min_window, zero_at, done_at = 0, math.huge, nil, nil

  -- the server's buffer size from the start: the window it offers in the
  -- handshake already fits it
  server:tcp{timers = "linux", state_machine = {"rfc9293", rcvbuf = P.rcvbuf}}:listen(80, function(conn)
    receiver = conn
    conn:set{autoread = false}
    local function reader()
      local t = sim:now()
      if t < P.pause or t >= P.resume then
        total_read = total_read + receiver:read(P.read)
      end
      if total_read < n then
        sim:after(0.1, reader)
      else
        done_at = t
        receiver:close()
      end
    end
    sim:after(0.1, reader)
  end)
  sim:at(0, function()
    sender = client:tcp{timers = "linux"}:connect(server, 80):on("established", function(c)
      c:send(n)
      c:close()
    end)
  end)
  sim:every(0.01, function(t)
    if done_at and t > done_at + 0.2 then return false end -- the rest is TIME_WAIT
    if not sender or sender.state == "CLOSED" or sender.state == "SYN_SENT" then return end
    local i = sender:info()
    window:add(t, i.snd_wnd)
    sent:add(t, i.bytes_acked)
    read:add(t, total_read)
    if i.snd_wnd < min_window then min_window = i.snd_wnd end
    if i.snd_wnd == 0 and not zero_at then zero_at = t end
  end)
  sim:run()

  local row = sim:tcp_table()[1]
  local probes = row.zero_window_probes
  synack.csv.mkdir(P.out)
  sim:write_tcp_csv(P.out .. "/flow_control.csv")
  synack.plot.lines(P.out .. "/flow_control_window.svg", {
    title = "Window advertised by a slow reader", xlabel = "time (s)",
    ylabel = "window seen by the sender (bytes)", step = true, series = {window}})
  synack.plot.lines(P.out .. "/flow_control_bytes.svg", {
    title = "Bytes acknowledged and read by the application", xlabel = "time (s)",
    ylabel = "bytes", step = true, series = {sent, read}})

  local completed = total_read >= n and row.completion ~= nil
  if P.verbose then
    print(string.format("A %d-byte transfer to a reader with a %d-byte buffer that reads %d bytes", n, P.rcvbuf, P.read))
    print(string.format("every 100 ms and pauses from %g s to %g s.", P.pause, P.resume))
    print(string.format("  the window first reached zero at %.2f s (smallest window: %d bytes)", zero_at or -1, min_window))
    print(string.format("  zero-window probes sent by the sender: %d", probes))
    print(string.format("  every byte acknowledged after %.2f s; the reader had them all at %.2f s", row.completion or -1, done_at or -1))
    print("The sender never overran the receiver: it stopped when the window closed,")
    print("probed it while it stayed shut, and resumed when the reader came back.")
    print("Wrote " .. P.out .. "/flow_control.csv, flow_control_window.svg, flow_control_bytes.svg.\n")
  end
  return { bytes_sent = n, zero_window_at = zero_at or -1, min_window = min_window,
           zero_window_probes = probes, completed = completed, completion = row.completion or -1 }
end

return experiment
