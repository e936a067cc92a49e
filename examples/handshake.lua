-- handshake.lua: the TCP three-way handshake, the seq/ack bookkeeping of
-- one data segment, and the close, step by step.
--
-- A client opens a connection to a server 10 ms away, sends 100 bytes and
-- both close it.  A recorder (sim:record) keeps every segment and state
-- change; the script prints the ladder as text and writes it as SVG to
-- OUT/handshake.svg, so the claims can be read off directly:
--   SYN (seq = x), SYN-ACK (seq = y, ack = x + 1), ACK (ack = y + 1);
--   with fixed ISNs (client 3000, server 7000) the data segment has
--   seq 3001 and 100 bytes, and its ACK says 3101: the next byte expected;
--   FIN / ACK / FIN / ACK, with FIN_WAIT_1/2, CLOSE_WAIT, LAST_ACK and
--   TIME_WAIT on the way.
-- dir=... also writes a pcap of the link (open it in Wireshark).
--
--   synack run examples/handshake.lua
--   synack run examples/handshake.lua isn=rfc6528 timers=rfc out=/tmp/ladders
local synack = require "synack"

local experiment = {
  params = { isn = "fixed", timers = "linux", delay = 0.01, verbose = true, dir = "",
             out = "out", fast = false },
}

local function mkdir(d)
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
end

function experiment.run(P)
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  sim:duplex_link(client, server, {rate = "100Mbps", delay = P.delay})
  if P.dir ~= "" then sim:pcap(P.dir) end
  local rec = sim:record()

  local fixed = P.isn == "fixed"
  local ep_c = client:tcp{isn = fixed and {"fixed", value = 3000} or P.isn, timers = P.timers}
  local ep_s = server:tcp{isn = fixed and {"fixed", value = 7000} or P.isn, timers = P.timers}
  local established, closed_at, conn
  ep_s:listen(80, function(c)
    c:on("state", function(c, _, to)
      if to == "CLOSE_WAIT" then sim:after(0.005, function() c:close() end) end
    end)
  end)
  sim:at(0, function()
    conn = ep_c:connect(server, 80)
    conn:on("established", function(c)
      established = sim:now()
      c:send(string.rep("x", 100))            -- 100 real bytes at seq ISS + 1
    end):on("sent", function(c)
      -- once the data is acknowledged (under a profile whose delayed ACK
      -- outlasts a fixed pause, that ACK would cover the FIN too)
      sim:after(0.1, function() c:close() end)
    end):on("closed", function() closed_at = sim:now() end)
  end)
  sim:run()

  -- The bookkeeping, from the recorder.
  local segs = rec:segments{connection = conn}
  local syn, synack, data, data_ack = segs[1], segs[2], nil, nil
  for _, s in ipairs(segs) do
    if not data and s.dir == "c>s" and s.len == 100 then data = s
    elseif data and not data_ack and s.dir == "s>c" and s.ack >= (data.seq + data.len) % 2^32 then data_ack = s end
  end
  assert(syn.flags == "SYN" and synack.flags == "SYN,ACK", "the handshake's segments")
  assert(synack.ack == (syn.seq + 1) % 2^32, "SYN-ACK acknowledges ISN + 1")
  assert(data and data_ack and data_ack.ack == (data.seq + 100) % 2^32, "seq + 100 bytes -> ack")
  if fixed then assert(data.seq == 3001 and data_ack.ack == 3101) end

  mkdir(P.out)
  local svg = P.out .. "/handshake.svg"
  rec:ladder(svg, {connection = conn, title = "Three-way handshake, 100 bytes, close (" .. P.timers .. " timers)"})
  if P.verbose then
    print("The TCP three-way handshake, one data segment and the close (one-way delay " ..
          P.delay * 1e3 .. " ms, timers " .. P.timers .. ", ISNs " .. P.isn .. ").")
    print("Each line: a segment when it leaves (its arrival time at the far end) or a")
    print("state change.\n")
    io.write(rec:ladder_text{connection = conn})
    print(string.format("\nSYN seq=%d; SYN-ACK seq=%d ack=%d (= %d + 1); the third segment acks %d + 1.",
      syn.seq, synack.seq, synack.ack, syn.seq, synack.seq))
    print(string.format("Data: seq=%d, 100 bytes -> the server's ACK says ack=%d (the next byte it expects).",
      data.seq, data_ack.ack))
    print(string.format("The client was established after %.3f ms (one round trip); the client's",
      established * 1e3))
    print(string.format("TIME_WAIT ended the connection at %.3f s.  Ladder: %s\n", closed_at, svg))
  end
  return { handshake_ms = established * 1e3, closed_s = closed_at, syn_seq = syn.seq,
           synack_ack = synack.ack, data_seq = data.seq, data_ack = data_ack.ack }
end

return experiment
