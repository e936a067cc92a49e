-- Fixture for tests/output.sh: a TUN interface (not configured: no peer)
-- captured to synack.args.pcap, for a moment of real time.
local synack = require "synack"
local sim = synack.simulator{realtime = true}
sim:node("n"):tun{address = "192.0.2.2/24", pcap = synack.args.pcap}
sim:run{stop = 0.05}
print("done")
