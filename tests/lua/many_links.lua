-- More links than the first 65535 default addresses: link 65536 and on
-- take .3 and .4 of the same 10.H.L /24s (the man page's sim:duplex_link),
-- packets cross them, and a recorded drop on such a link names it (the
-- recorder keeps a link's whole index).
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local sim = synack.simulator{seed = 3}
local x, y = sim:node("x"), sim:node("y")
local first, last
for i = 1, 65535 do
  local l = sim:duplex_link(x, y, {rate = "1Gbps", delay = "1ms"})
  if i == 1 then first = l end
  last = l
end
local a1, a2 = first:addresses()
eq(a1, "10.0.1.1", "link 1, side a"); eq(a2, "10.0.1.2", "link 1, side b")
a1, a2 = last:addresses()
eq(a1, "10.255.255.1", "link 65535, side a"); eq(a2, "10.255.255.2", "link 65535, side b")

local a, b = sim:node("a"), sim:node("b")
local l = sim:duplex_link(a, b, {rate = "100Mbps", delay = "5ms",
                                 ab = {loss = {"match", flags = "SYN", count = 1}}})
a1, a2 = l:addresses()
eq(a1, "10.0.1.3", "link 65536, side a"); eq(a2, "10.0.1.4", "link 65536, side b")
local l2 = sim:duplex_link(b, sim:node("c"), {rate = "100Mbps", delay = "5ms"})
a1, a2 = l2:addresses()
eq(a1, "10.0.2.3", "link 65537, side a"); eq(a2, "10.0.2.4", "link 65537, side b")
eq(a:address(), "10.0.1.3", "a's address")

b:tcp():listen(80)
local rec = sim:record()
local conn
sim:at(0, function() conn = a:tcp():connect(b, 80) end)
sim:run{stop = 10}
eq(conn.state, "ESTABLISHED", "the handshake over link 65536")
local segs = rec:segments{connection = 1}
check(segs[1].dropped, "the first SYN was dropped")
eq(segs[1].reason, "loss", "its reason")
eq(segs[1].link, "a>b", "the link direction that dropped it")
check(segs[2].arrived and segs[2].link == nil, "an arrived segment names no link")
print("many_links: ok")
