-- Fixture for tests/trace.sh: a two-hop path carrying a handshake's worth
-- of TCP segments and a raw packet, traced to pcap (synack.args.dir) and
-- ns-2 text (synack.args.text).
local synack = require "synack"
local sim = synack.simulator{}
local a, r, b = sim:node("a"), sim:node("r"), sim:node("b")
sim:duplex_link(a, r, {rate = "10Mbps", delay = "1ms"})
local rb = sim:duplex_link(r, b, {rate = "1Mbps", delay = "2ms"})
sim:pcap(synack.args.dir)
sim:trace(synack.args.text)
rb:trace(synack.args.dir .. "/r-b.tr")
sim:at(0, function()
  a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 3000, flags = "SYN"}}
end)
sim:at(0.01, function()
  b:send_raw{to = a, size = 40, tcp = {sport = 80, dport = 40000, seq = 7000, ack = 3001, flags = "SYN+ACK"}}
end)
sim:at(0.02, function()
  a:send_raw{to = b, size = 140, tcp = {sport = 40000, dport = 80, seq = 3001, ack = 7001, flags = "ACK+PSH"}}
  a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 3101, ack = 7001, flags = "ACK"}}
  a:send_raw{to = b, size = 300}
end)
sim:run()
