-- A segment for which no socket exists is answered by a reset (RFC 9293
-- 3.10.7.1): a SYN to a closed port is refused in one round trip.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local trace = os.tmpname()
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms"})
local ta, tb = a:tcp(), b:tcp()
check(a:tcp() == ta, "node:tcp() returns the same endpoint")
sim:trace(trace)
-- SYN without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN
-- counting the SYN.
sim:at(0, function() a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 1000, flags = "SYN"}} end)
-- An ACK with 100 bytes: <SEQ=SEG.ACK><CTL=RST>.
sim:at(1, function() a:send_raw{to = b, size = 140, tcp = {sport = 40001, dport = 80, seq = 5, ack = 777, flags = "ACK"}} end)
-- FIN without ACK, 10 bytes: SEG.LEN = 11.
sim:at(2, function() a:send_raw{to = b, size = 50, tcp = {sport = 40002, dport = 80, seq = 50, flags = "FIN"}} end)
-- A reset is never answered.
sim:at(3, function() a:send_raw{to = b, size = 40, tcp = {sport = 40003, dport = 80, seq = 9, flags = "RST"}} end)
sim:run()

eq(tb:stats().no_socket, 4, "segments without a socket at b")
eq(tb:stats().rst_out, 3, "resets sent by b")
eq(tb:stats().rst_in, 1, "resets received by b")
eq(ta:stats().rst_in, 3, "resets received by a")
eq(ta:stats().rst_out, 0, "a never answers a reset")

local f = assert(io.open(trace))
local text = f:read("a")
f:close()
os.remove(trace)
local function has(line, what)
  check(text:find(line, 1, true), "%s: no trace line %q", what, line)
end
-- 40 B at 10 Mbit/s is 32 us; one way 10.032 ms; the reset reaches a after
-- one round trip, 20.064 ms.
has("r 0.020064000 1 0 tcp 40 ------- 0 1.80 0.40000 0 2 ACK=1001 FLAGS=RST,ACK WIN=0 LEN=0", "SYN refused")
has(" 1 0 tcp 40 ------- 0 1.80 0.40001 777 ", "ACK answered with SEQ=SEG.ACK")
has("ACK=0 FLAGS=RST WIN=0 LEN=0", "reset without ACK")
has(" 1 0 tcp 40 ------- 0 1.80 0.40002 0 ", "FIN answered")
has("ACK=61 FLAGS=RST,ACK", "FIN and 10 bytes count 11")
