-- Options negotiated in the handshake: MSS (536 when absent), window
-- scaling, timestamps and SACK-permitted, each kept only when both sides
-- offer it; the SYN's option bytes in Linux's layout.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function handshake(client_sm, server_sm)
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local sconn
  b:tcp{state_machine = server_sm}:listen(80, function(c) sconn = c end)
  local ep = a:tcp{state_machine = client_sm}
  local cconn
  sim:at(0, function() cconn = ep:connect(b, 80) end)
  sim:run{stop = 1}
  return cconn.stats, sconn.stats
end

local c, s = handshake(nil, nil)
eq(c.mss_peer, 1460, "client learns the server's MSS")
eq(s.mss_peer, 1460, "server learns the client's MSS")
check(c.window_scaling and s.window_scaling, "window scaling on both sides")
eq(c.snd_wscale, 7, "client's send shift = server's offer")
eq(s.rcv_wscale, 7, "server's receive shift")
check(c.timestamps and s.timestamps and c.sack and s.sack, "timestamps and SACK on both sides")

c, s = handshake({"rfc9293", mss = 1000, timestamps = false, wscale = 3}, {"rfc9293", sack = false})
eq(s.mss_peer, 1000, "server learns a smaller MSS")
check(not c.timestamps and not s.timestamps, "timestamps need both sides")
check(not c.sack and not s.sack, "SACK needs both sides")
eq(s.snd_wscale, 3, "server's send shift = client's offer")

c, s = handshake({"rfc9293", window_scaling = false}, nil)
check(not c.window_scaling and not s.window_scaling, "window scaling needs both sides")
eq(s.rcv_wscale, 0, "no scaling: shift 0")

-- A SYN without options: the server assumes 536 and offers only its MSS.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local sconn
  b:tcp():listen(80, function(c) sconn = c end)
  local opts
  a:on_receive("tcp", function(p) opts = opts or p.options end)
  sim:at(0, function() a:send_raw{to = b, size = 40, tcp = {sport = 999, dport = 80, seq = 5, flags = "SYN"}} end)
  sim:at(0.1, function() a:send_raw{to = b, size = 40, tcp = {sport = 999, dport = 80, seq = 6, ack = sconn and 0 or 1, flags = "ACK"}} end)
  sim:run{stop = 1}
  eq(opts, "\2\4\5\180", "SYN-ACK options: MSS 1460 only")
end

-- The client's SYN as tshark would see it: MSS, SACK-permitted,
-- timestamps, NOP, window scale 7 (Linux's layout).
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local syn
  b:on_receive("tcp", function(p) syn = syn or p end)
  local ep = a:tcp()
  sim:at(0.5, function() ep:connect(b, 80) end)
  sim:run{stop = 0.6}
  eq(#syn.options, 20, "SYN option length")
  eq(syn.options:sub(1, 6), "\2\4\5\180\4\2", "MSS then SACK-permitted")
  eq(syn.options:sub(7, 8), "\8\10", "timestamps")
  eq(string.unpack(">I4", syn.options, 9), 500, "TSval in milliseconds")
  eq(syn.options:sub(17, 20), "\1\3\3\7", "NOP, window scale 7")
end

-- The receive buffer given to connect is the window the SYN offers
-- (unscaled, at most 65535), not the endpoint's default.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local rec = sim:record()
  b:tcp():listen(80)
  local ep = a:tcp()
  sim:at(0, function()
    ep:connect(b, 80, {rcvbuf = 4096})
    ep:connect(b, 80, {rcvbuf = 1 << 20})
  end)
  sim:run{stop = 0.1}
  eq(rec:segments{connection = 1}[1].win, 4096, "the SYN's window with rcvbuf 4096")
  eq(rec:segments{connection = 1}[3].win, 4096 >> 7, "the ACK's, scaled")
  eq(rec:segments{connection = 2}[1].win, 65535, "the SYN's window with rcvbuf 1 MiB")
end
