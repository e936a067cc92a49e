-- checksum.lua: corrupted segments fail the checksum and are retransmitted.
--
-- A client sends real bytes (a known pattern) to a server over a link
-- whose forward direction flips one bit of a packet with probability p
-- (the loss plugin `corrupt`).  The packet still arrives, but the
-- receiver's TCP checksum no longer verifies, so the node drops it (drop
-- reason "corrupt"); to the sender it is a lost segment, repaired by a
-- retransmission.  At the end the server compares what it received with
-- what was sent, byte for byte.
--
--   synack run examples/checksum.lua
--   synack run examples/checksum.lua p=0.1 bytes=1000000 out=/tmp/cs
--
-- Writes out/checksum.csv (one row per connection) and out/checksum.svg
-- (bytes delivered and acknowledged over time).
local synack = require "synack"

local experiment = {
  params = { p = 0.05, bytes = 300000, delay = 0.01, fast = false, verbose = true, out = "out" },
}

-- A payload whose every 4-byte word differs, so a misplaced or damaged
-- byte cannot go unnoticed.
local function pattern(n)
  local words = {}
  for i = 1, (n + 3) // 4 do words[i] = string.pack(">I4", (i * 2654435761) & 0xffffffff) end
  return table.concat(words):sub(1, n)
end

function experiment.run(P)
  local n = P.fast and math.min(P.bytes, 60000) or P.bytes
  local sim = synack.simulator{}
  sim:tcp_table() -- keep the connection table from the start
  local client, server = sim:node("client"), sim:node("server")
  local link = sim:duplex_link(client, server, {rate = "10Mbps", delay = P.delay,
    ab = {loss = {"corrupt", p = P.p}}})
  local data = pattern(n)
  local got, sender = {}, nil
  local delivered, acked = synack.series("delivered"), synack.series("acknowledged")
  local received = 0

  server:tcp():listen(80, function(conn)
    conn:on("data", function(_, len, bytes)
      got[#got + 1] = bytes or ""
      received = received + len
    end)
  end)
  sim:at(0, function()
    sender = client:tcp():connect(server, 80):on("established", function(c)
      c:send(data)
      c:close()
    end)
  end)
  sim:every(0.01, function(t)
    delivered:add(t, received)
    acked:add(t, sender and sender.state ~= "CLOSED" and sender:info().bytes_acked or n)
  end)
  sim:run()

  local intact = table.concat(got) == data
  local st = link:stats().ab
  local drops = server:stats().drops.corrupt
  local rows = sim:tcp_table()
  local rtx = rows[1].retransmissions
  synack.csv.mkdir(P.out)
  sim:write_tcp_csv(P.out .. "/checksum.csv")
  synack.plot.lines(P.out .. "/checksum.svg", {
    title = string.format("%d bytes over a link corrupting %.0f %% of packets", n, P.p * 100),
    xlabel = "time (s)", ylabel = "bytes", step = true, series = {delivered, acked}})

  if P.verbose then
    print(string.format("Sent %d bytes over a link that corrupts a packet with probability %g.", n, P.p))
    print(string.format("  packets sent on the link:        %d", st.sent_packets))
    print(string.format("  corrupted by the loss model:     %d", st.corrupted))
    print(string.format("  dropped by the receiver (corrupt): %d  (the TCP checksum failed)", drops))
    print(string.format("  retransmissions by the sender:   %d", rtx))
    print(string.format("  bytes received: %d, identical to those sent: %s", received, tostring(intact)))
    print(string.format("  transfer complete at %.3f s", rows[1].open + (rows[1].completion or 0)))
    print("Every damaged segment was dropped, never delivered: the checksum turned")
    print("corruption into loss, and retransmission repaired the loss.")
    print("Wrote " .. P.out .. "/checksum.csv and " .. P.out .. "/checksum.svg.\n")
  end
  return { bytes_sent = n, corrupted = st.corrupted, dropped_corrupt = drops,
           retransmissions = rtx, bytes_received = received, intact = intact }
end

return experiment
